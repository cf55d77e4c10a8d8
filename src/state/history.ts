import type { RunHeader } from './journal-codec.js';
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

/** Every run of the campaign as a history entry, oldest first. */
export function readHistory(store: StateStore): HistoryEntry[] {
  return store.runs().map((r) => {
    const head = store.header(r.id) as (RunHeader & { reason?: string }) | undefined;
    const argv = head?.argv;
    const reason = head?.reason ?? option(argv, '--reason');
    return {
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
  });
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
