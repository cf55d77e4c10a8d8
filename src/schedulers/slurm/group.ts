import { requestKey } from '../batch/request-key.js';
import type { Pending } from '../batch/rounds.js';
import type { Submission } from '../contract.js';
import { type ArrayMembers, classify, dependencyOf, type Wait } from './dependency.js';
import type { Request } from './directives.js';

/** One member of a group: the submission, its position in the batch and its array index. */
export interface Member {
  readonly position: number;
  readonly index: number;
  readonly submission: Submission;
}

/** Submissions that go to Slurm as one job (a single task) or one job array. */
export interface Group {
  readonly request: Request;
  readonly setup: readonly string[];
  readonly throttle?: number;
  readonly dependency?: string;
  /** A plain job when false: its one member has index 0. */
  readonly array: boolean;
  readonly members: readonly Member[];
}

export type { Pending };

/**
 * Groups submissions into job arrays: equal requests (resources, options, limit, setup,
 * throttle) that wait in the same way. Task-to-task waits on arrays (`aftercorr`) keep the
 * upstream index; other arrays are numbered from 0. Arrays hold at most `maxTasks` tasks.
 */
export function groupSubmissions(
  batch: readonly Pending[],
  members: ArrayMembers,
  maxTasks: number,
): Group[] {
  const buckets = new Map<string, { wait: Wait; items: Pending[] }>();
  for (const p of batch) {
    const wait = classify(p.after, members);
    const key = `${requestKey(p.submission)}\u0000${waitKey(wait)}`;
    const b = buckets.get(key) ?? { wait, items: [] };
    b.items.push(p);
    buckets.set(key, b);
  }
  const groups: Group[] = [];
  for (const { wait, items } of buckets.values()) {
    if (wait.kind === 'corr') groups.push(...corrGroups(items, members, maxTasks));
    else groups.push(...plainGroups(items, wait, maxTasks));
  }
  return groups;
}

function plainGroups(items: readonly Pending[], wait: Wait, maxTasks: number): Group[] {
  const out: Group[] = [];
  for (let i = 0; i < items.length; i += maxTasks) {
    const chunk = items.slice(i, i + maxTasks);
    out.push(
      makeGroup(
        chunk.map((p, k) => ({ position: p.position, index: k, submission: p.submission })),
        wait,
      ),
    );
  }
  return out;
}

/** Index k of the group waits for index k of the upstream arrays; an index taken twice splits. */
function corrGroups(items: readonly Pending[], members: ArrayMembers, maxTasks: number): Group[] {
  const rounds: Pending[][] = [];
  const seen = new Map<number, number>();
  for (const p of items) {
    const w = classify(p.after, members);
    const index = w.kind === 'corr' ? w.index : 0;
    const n = seen.get(index) ?? 0;
    seen.set(index, n + 1);
    const round = rounds[n] ?? [];
    rounds[n] = round;
    round.push(p);
  }
  const out: Group[] = [];
  for (const round of rounds) {
    const sorted = [...round].sort((a, b) => (a.after[0]?.arrayIndex ?? 0) - (b.after[0]?.arrayIndex ?? 0));
    for (let i = 0; i < sorted.length; i += maxTasks) {
      const chunk = sorted.slice(i, i + maxTasks);
      if (chunk.length === 1) {
        // One task alone is a plain job after the upstream tasks themselves.
        const p = chunk[0]!;
        out.push(
          makeGroup([{ position: p.position, index: 0, submission: p.submission }], {
            kind: 'ok',
            jobs: p.after.map((h) => h.jobId),
          }),
        );
        continue;
      }
      const wait = classify(chunk[0]!.after, members);
      out.push(
        makeGroup(
          chunk.map((p) => ({
            position: p.position,
            index: p.after[0]!.arrayIndex!,
            submission: p.submission,
          })),
          wait,
          true,
        ),
      );
    }
  }
  return out;
}

function makeGroup(members: Member[], wait: Wait, forceArray = false): Group {
  const s = members[0]!.submission;
  const dependency = dependencyOf(wait);
  return {
    request: requestOf(s),
    setup: s.setup,
    ...(s.throttle ? { throttle: s.throttle.max } : {}),
    ...(dependency ? { dependency } : {}),
    array: forceArray || members.length > 1,
    members: members.length === 1 && !forceArray ? [{ ...members[0]!, index: 0 }] : members,
  };
}

export function requestOf(s: Submission): Request {
  return { resources: s.resources, options: s.options, ...(s.limit !== undefined ? { limit: s.limit } : {}) };
}

function waitKey(w: Wait): string {
  if (w.kind === 'corr') return `corr:${w.arrays.join(':')}`;
  if (w.kind === 'ok') return `ok:${w.jobs.join(':')}`;
  return '';
}
