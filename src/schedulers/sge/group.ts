import { requestKey } from '../batch/request-key.js';
import type { Pending } from '../batch/rounds.js';
import type { Handle, Submission } from '../contract.js';
import { type ArraySize, classify, type Wait, waitKey } from './hold.js';
import type { Request } from './request.js';

export type { Pending };

/** One member of a group: the submission, its position in the batch and its task id (from 1). */
export interface Member {
  readonly position: number;
  readonly index: number;
  readonly submission: Submission;
  readonly after: readonly Handle[];
}

/** Submissions that go to Grid Engine as one job (a single task) or one array job. */
export interface Group {
  readonly request: Request;
  readonly setup: readonly string[];
  readonly throttle?: number;
  readonly wait: Wait;
  /** A plain job when false: its one member has index 1. */
  readonly array: boolean;
  /** Array tasks 1..size (members may leave none out with -hold_jid_ad; else they are 1..n). */
  readonly size: number;
  readonly members: readonly Member[];
}

/**
 * Groups submissions into array jobs: equal requests (resources, options, limit, setup,
 * throttle) that wait in the same way. Instance-to-instance waits (task i after task i of
 * array jobs of size N) become an array of size N held with `-hold_jid_ad` only when its
 * tasks are exactly 1..N, since Grid Engine takes `-hold_jid_ad` only between equal ranges;
 * otherwise they wait for the whole upstream arrays. Array jobs hold at most `maxTasks` tasks.
 */
export function groupSubmissions(batch: readonly Pending[], sizeOf: ArraySize, maxTasks: number): Group[] {
  const ad = new Map<string, { wait: Extract<Wait, { kind: 'ad' }>; items: Pending[] }>();
  const plain = new Map<string, { wait: Wait; items: Pending[] }>();
  const addPlain = (p: Pending, wait: Wait) => {
    const key = `${requestKey(p.submission)}\u0000${waitKey(wait)}`;
    const b = plain.get(key) ?? { wait, items: [] };
    b.items.push(p);
    plain.set(key, b);
  };
  for (const p of batch) {
    const wait = classify(p.after, sizeOf);
    if (wait.kind !== 'ad') {
      addPlain(p, wait);
      continue;
    }
    const key = `${requestKey(p.submission)}\u0000${waitKey(wait)}`;
    const b = ad.get(key) ?? { wait, items: [] };
    b.items.push(p);
    ad.set(key, b);
  }
  const groups: Group[] = [];
  for (const { wait, items } of ad.values()) {
    for (const round of rounds(items)) {
      const complete =
        round.length === wait.size && round.every((p) => indexOf(p) >= 1 && indexOf(p) <= wait.size);
      if (complete && wait.size <= maxTasks) {
        const members = round
          .map((p) => ({ position: p.position, index: indexOf(p), submission: p.submission, after: p.after }))
          .sort((a, b) => a.index - b.index);
        groups.push(makeGroup(members, wait, wait.size));
      } else {
        // Not every task of the upstream arrays has its dependent here: whole-array holds.
        for (const p of round) addPlain(p, { kind: 'jobs', jobs: wait.arrays });
      }
    }
  }
  for (const { wait, items } of plain.values()) {
    for (let i = 0; i < items.length; i += maxTasks) {
      const chunk = items.slice(i, i + maxTasks);
      const members = chunk.map((p, k) => ({
        position: p.position,
        index: k + 1,
        submission: p.submission,
        after: p.after,
      }));
      groups.push(makeGroup(members, wait, members.length));
    }
  }
  return groups;
}

const indexOf = (p: Pending) => p.after[0]?.arrayIndex ?? 0;

/** Splits submissions so that no upstream task index is taken twice in one round. */
function rounds(items: readonly Pending[]): Pending[][] {
  const out: Pending[][] = [];
  const seen = new Map<number, number>();
  for (const p of items) {
    const n = seen.get(indexOf(p)) ?? 0;
    seen.set(indexOf(p), n + 1);
    const round = out[n] ?? [];
    out[n] = round;
    round.push(p);
  }
  return out;
}

function makeGroup(members: Member[], wait: Wait, size: number): Group {
  const s = members[0]!.submission;
  const array = wait.kind === 'ad' || members.length > 1;
  return {
    request: {
      resources: s.resources,
      options: s.options,
      ...(s.limit !== undefined ? { limit: s.limit } : {}),
    },
    setup: s.setup,
    ...(s.throttle ? { throttle: s.throttle.max } : {}),
    wait,
    array,
    size: array ? size : 1,
    members: array ? members : [{ ...members[0]!, index: 1 }],
  };
}
