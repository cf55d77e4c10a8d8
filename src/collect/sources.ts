import { relative } from 'node:path';
import { nearest } from '../config/suggest.js';
import { bindRun, declaredOutputs, namesRun } from '../model/expand/run-ref.js';
import { missingOutputs, outputFiles } from '../model/outputs.js';
import type { TaskSpec } from '../model/tasks.js';
import type { JournalRecord } from '../state/journal.js';
import type { RunSummary } from '../state/store.js';
import type { Piece } from './piece.js';
import { CollectProblem } from './problem.js';

/** Which runs to collect: those that succeeded, every run, or the runs named. */
export type RunChoice =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'all' }
  | { readonly kind: 'listed'; readonly runs: readonly string[] };

/** What the state says about runs: their list (in order) and each one's journal. */
export interface RunHistory {
  readonly runs: readonly RunSummary[];
  journal(runId: string): readonly JournalRecord[];
}

export interface Selection {
  readonly pieces: readonly Piece[];
  /** Runs left out and why, for stderr. */
  readonly notes: readonly string[];
}

/**
 * The files to assemble, in run order and, within a run, in the node's task order: the outputs
 * of each of the node's tasks that succeeded in the run, with `{run}` bound to the run that
 * started the attempt. Every file must exist before a byte is written: a run whose files are
 * missing is a problem that names the run and the files (exit 1).
 */
export function selectPieces(
  node: string,
  tasks: readonly TaskSpec[],
  history: RunHistory,
  choice: RunChoice,
  cwd: string,
): Selection {
  if (!tasks.some((t) => namesRun(t.workdir) || declaredOutputs(t).some(namesRun)))
    throw new CollectProblem(
      'outputs-without-run',
      `the outputs of \`${node}\` do not name their run, so each run overwrote the last one's`,
      2,
      undefined,
      [],
      `put {run} in the file names: outputs = ["out/results_{run}.csv"], and the command writes the same path`,
    );
  const chosen = chooseRuns(history.runs, choice);
  const notes: string[] = [];
  const pieces: Piece[] = [];
  const missing: { message: string }[] = [];
  const ids = new Set(tasks.map((t) => t.id));
  for (const run of chosen.runs) {
    const ok = new Map<string, string>();
    let ran = false;
    for (const rec of history.journal(run.id)) {
      if (rec.k === 'run' || rec.k === 'end' || !ids.has(rec.id)) continue;
      ran = true;
      if (rec.k === 'ok') ok.set(rec.id, rec.r0 ?? run.id);
    }
    if (choice.kind === 'succeeded' && run.status !== 'succeeded') {
      notes.push(
        `left out ${run.id}: ${run.status === 'running' ? 'it is still running' : `the run ${run.status}`}`,
      );
      continue;
    }
    if (ok.size === 0) {
      if (choice.kind === 'listed')
        missing.push({ message: `${run.id}: \`${node}\` did not succeed in this run, it has no files` });
      else notes.push(`left out ${run.id}: \`${node}\` ${ran ? 'did not succeed' : 'did not run'} in it`);
      continue;
    }
    for (const t of tasks) {
      const origin = ok.get(t.id);
      if (origin === undefined) continue;
      const workdir = bindRun(t.workdir, origin);
      const outputs = declaredOutputs(t).map((o) => bindRun(o, origin));
      const gone = missingOutputs(workdir, outputs);
      if (gone.length > 0) {
        missing.push({
          message: `${origin}: ${t.id} succeeded, but ${gone.join(', ')} ${gone.length > 1 ? 'are' : 'is'} missing`,
        });
        continue;
      }
      for (const file of outputFiles(workdir, outputs) ?? [])
        pieces.push({ run: origin, file, shown: shown(file, cwd) });
    }
  }
  if (missing.length > 0) {
    const runs = [...new Set(missing.map((m) => m.message.slice(0, m.message.indexOf(':'))))];
    throw new CollectProblem(
      'files-missing',
      `the files of ${runs.length > 1 ? `${runs.length} runs are` : `run ${runs[0]} are`} missing: ${runs.join(', ')}`,
      1,
      undefined,
      missing,
      'leave those runs out with --runs RUN..., or run the node again',
    );
  }
  return { pieces, notes: [...chosen.notes, ...notes] };
}

function chooseRuns(
  runs: readonly RunSummary[],
  choice: RunChoice,
): { runs: readonly RunSummary[]; notes: string[] } {
  if (choice.kind !== 'listed') return { runs, notes: [] };
  const picked: RunSummary[] = [];
  for (const name of choice.runs) {
    // A run by its id, or by its number alone: `run003`, `3`.
    const run = runs.find(
      (r) => r.id === name || r.id.endsWith(`_${name}`) || r.id.endsWith(`_run${name.padStart(3, '0')}`),
    );
    if (!run) {
      // Compared by number (`run009` with `run003`), shown by id.
      const short = (id: string) => id.slice(id.lastIndexOf('_') + 1);
      const close = nearest(
        short(name),
        runs.map((r) => short(r.id)),
      );
      const near = runs.find((r) => short(r.id) === close)?.id;
      throw new CollectProblem(
        'unknown-run',
        `there is no run \`${name}\``,
        2,
        undefined,
        [],
        near ? `did you mean \`${near}\`? (campaign runs lists them)` : 'campaign runs lists the runs',
      );
    }
    if (!picked.includes(run)) picked.push(run);
  }
  return { runs: [...picked].sort((a, b) => runs.indexOf(a) - runs.indexOf(b)), notes: [] };
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}
