import { appendFileSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { RunHeader } from './journal-codec.js';
import type { StatePaths } from './paths.js';
import type { StateStore } from './store.js';

/** What an entry of the history did: a run, a rerun of failures, a forced rerun, a pick-up. */
export type HistoryAction = 'run' | 'retry' | 'force' | 'watch' | 'cancel';

/**
 * One entry of a campaign's audit history: who did what, where, when, with which command
 * line and selection, why, and how it ended. Read from the runs' journals, which record it
 * when a run starts and ends: the history cannot drift from what ran.
 */
export interface HistoryEntry {
  readonly run: string;
  readonly action: HistoryAction;
  /** Started, ended (ms since the epoch). */
  readonly t: number;
  readonly ended?: number;
  readonly user?: string;
  readonly host?: string;
  /** The command line as given (`campaign run campaign.toml --force`). */
  readonly argv?: readonly string[];
  /** The selection options of the command line (`--only x`, `--index 0..3`), and the run's task count. */
  readonly selection: readonly string[];
  readonly tasks?: number;
  /** `--reason "..."`, when the command line gave one. */
  readonly reason?: string;
  readonly status: string;
}

const SELECTION = new Set(['--only', '--from', '--until', '--index', '--force', '--retry-failed']);

/**
 * A `campaign cancel` of a run whose head was running: who asked, where, when, with which
 * command line and why. The cancel records it in the run's folder before it signals the head,
 * so the request is in the history whether or not the head lives to record its end.
 */
export interface CancelRequest {
  readonly t: number;
  readonly user?: string;
  readonly host: string;
  readonly pid: number;
  readonly argv: readonly string[];
  readonly reason?: string;
}

/** The file of a run's cancel requests: one JSON line each (a cancel may be asked again). */
export function cancelsFile(paths: StatePaths, runId: string): string {
  return join(paths.run(runId), 'cancels.jsonl');
}

/** The cancel request of this process, for the run `runId`; one line, appended in one write. */
export function recordCancel(paths: StatePaths, runId: string, reason: string | undefined): CancelRequest {
  const req: CancelRequest = {
    t: Date.now(),
    ...userOf(),
    host: hostname(),
    pid: process.pid,
    argv: ['campaign', ...process.argv.slice(2)],
    ...(reason !== undefined ? { reason } : {}),
  };
  appendFileSync(cancelsFile(paths, runId), `${JSON.stringify(req)}\n`);
  return req;
}

/** A run's cancel requests, oldest first; a torn or foreign line is left out. */
function readCancels(paths: StatePaths, runId: string): CancelRequest[] {
  let text: string;
  try {
    text = readFileSync(cancelsFile(paths, runId), 'utf8');
  } catch {
    return [];
  }
  const out: CancelRequest[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const r = JSON.parse(line) as CancelRequest;
      if (typeof r.t === 'number' && Array.isArray(r.argv)) out.push(r);
    } catch {
      // a line cut short by a crash mid-write
    }
  }
  return out;
}

/** Every run of the campaign, and every cancel of a running head, as history entries, oldest first. */
export function readHistory(store: StateStore): HistoryEntry[] {
  const entries = store.runs().flatMap((r): HistoryEntry[] => {
    const head = store.header(r.id) as (RunHeader & { reason?: string }) | undefined;
    const argv = head?.argv;
    const reason = head?.reason ?? option(argv, '--reason');
    const entry: HistoryEntry = {
      run: r.id,
      action: actionOf(argv),
      t: r.started,
      ...(r.ended !== undefined ? { ended: r.ended } : {}),
      ...(head?.user !== undefined ? { user: head.user } : {}),
      ...((head?.host ?? r.host) !== undefined ? { host: head?.host ?? r.host } : {}),
      ...(argv ? { argv } : {}),
      selection: selectionOf(argv),
      ...(head ? { tasks: head.tasks } : {}),
      ...(reason !== undefined ? { reason } : {}),
      status: r.status,
    };
    // A cancel of the running head: its row says how the run it stopped ended.
    const cancels = readCancels(store.paths, r.id).map(
      (c): HistoryEntry => ({
        run: r.id,
        action: 'cancel',
        t: c.t,
        ...(r.ended !== undefined ? { ended: r.ended } : {}),
        ...(c.user !== undefined ? { user: c.user } : {}),
        host: c.host,
        argv: c.argv,
        selection: selectionOf(c.argv),
        ...(head ? { tasks: head.tasks } : {}),
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        status: r.status,
      }),
    );
    return [entry, ...cancels];
  });
  // Stable: a run before the cancels it received, each at the time it happened.
  return entries.sort((a, b) => a.t - b.t);
}

/** Who runs this process, if the system knows. */
function userOf(): { user?: string } {
  try {
    return { user: userInfo().username };
  } catch {
    return {};
  }
}

function actionOf(argv: readonly string[] | undefined): HistoryAction {
  if (!argv) return 'run';
  if (argv[1] === 'watch') return 'watch';
  if (argv[1] === 'cancel') return 'cancel';
  if (argv.includes('--retry-failed')) return 'retry';
  if (argv.includes('--force') || argv.some((a) => a.startsWith('--force='))) return 'force';
  return 'run';
}

/** The selection options of a command line, each with its value. */
function selectionOf(argv: readonly string[] | undefined): string[] {
  if (!argv) return [];
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (!SELECTION.has(name)) continue;
    if (a.includes('=') || name === '--force' || name === '--retry-failed') out.push(a);
    else if (i + 1 < argv.length) out.push(`${a} ${argv[++i]}`);
  }
  return out;
}

/** The value of `--name VALUE` or `--name=VALUE` in a command line. */
function option(argv: readonly string[] | undefined, name: string): string | undefined {
  if (!argv) return undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name && i + 1 < argv.length) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}
