import { commandLine, oneLine, shWord } from '../batch/quote.js';
import { common, commonDir, commonEnv } from '../batch/script-parts.js';
import type { Submission } from '../contract.js';
import { commandArgv } from '../launcher/launch.js';
import { VERIFIER } from '../slurm/script.js';
import {
  WRAPPER_RESULT,
  WRAPPER_RUN,
  WRAPPER_SELECT,
  WRAPPER_START,
  WRAPPER_UPSTREAM,
  WRAPPER_VERIFY,
} from './wrapper.js';

/** One task of a script: its array task id (1 for a plain job) and what it must wait for. */
export interface ScriptTask {
  readonly index: number;
  readonly submission: Submission;
  /** Result files of upstream attempts this task checks before it runs (beyond the shared list). */
  readonly upstreams: readonly string[];
}

/** Everything one generated job script holds. */
export interface ScriptInput {
  readonly campaign: string;
  readonly runId: string;
  readonly token: string;
  /** The qsub argv that submits the script (shown in its header). */
  readonly qsub: readonly string[];
  readonly setup: readonly string[];
  readonly tasks: readonly ScriptTask[];
  /** File of upstream result paths, one a line, that every task checks (a funnel's many). */
  readonly after?: string;
  /** The attempt's limit in seconds (the wrapper enforces it; `h_rt` is a backstop). */
  readonly limit?: number;
  /** Seconds between TERM and KILL at the limit. */
  readonly killGrace: number;
  /** Seconds an upstream's result line may take to show up on a shared file system. */
  readonly resultGrace: number;
  /** The node binary and the verifier module that check outputs inside the job. */
  readonly verifier?: { readonly node: string; readonly script: string };
}

const TABLE_LINE = '@TABLE_LINE@';

/**
 * The job script of one submission, run by `/bin/sh`: the environment and setup its tasks
 * share, a wrapper that runs the task of `$SGE_TASK_ID` (after checking its upstream
 * attempts) and records its result line, and after `exit` the task table, one row of quoted
 * words per task. qsub's options are on its command line, shown in the header.
 */
export function renderScript(s: ScriptInput): string {
  const subs = s.tasks.map((t) => t.submission);
  const sharedEnv = commonEnv(subs);
  const workdir = common(subs.map((x) => x.workdir));
  const prefix = commonDir(subs.flatMap((x) => [x.files.out, x.files.err, x.files.result]));
  const verify = subs.some((x) => x.verify !== undefined);
  const outputs = subs.some((x) => (x.verify?.outputs.length ?? 0) > 0);
  const verifier = s.verifier ?? VERIFIER;
  const upstreams = s.after !== undefined || s.tasks.some((t) => t.upstreams.length > 0);
  const head = [
    '#!/bin/sh',
    `# campaign ${oneLine(s.campaign)}, run ${oneLine(s.runId)}, submission ${s.token}: ${s.tasks.length} task(s).`,
    '# Written by campaign before qsub and kept for inspection; submitted with',
    `#   ${commandLine(s.qsub)}`,
    '# The task table is at the end: one row per array task (SGE_TASK_ID; 1 for a plain job) of',
    '# quoted words, never expanded: index, task, attempt, workdir (empty: the shared one), stdout,',
    '# stderr and result (below the shared folder), then counted lists (a count, then its words):',
    '# NAME=value words, upstream result files, output patterns, the check command; then the argv.',
    '',
    'campaign_nl="',
    '"',
    `campaign_table=${TABLE_LINE}`,
    `campaign_files=${shWord(prefix)}`,
    `campaign_workdir=${shWord(workdir ?? '')}`,
    `campaign_after=${shWord(s.after ?? '')}`,
    `campaign_limit=${s.limit !== undefined && s.limit > 0 ? Math.ceil(s.limit) : 0} campaign_kill=${Math.ceil(s.killGrace)} campaign_grace=${Math.ceil(s.resultGrace)}`,
    ...(outputs
      ? [`campaign_node=${shWord(verifier.node)}`, `campaign_verifier=${shWord(verifier.script)}`]
      : []),
    '# Grid Engine passes no environment of the submitting shell (no -V) but its PATH, as SGE_O_PATH.',
    'if [ -n "${SGE_O_PATH:-}" ]; then PATH=$SGE_O_PATH; export PATH; fi',
    ...Object.entries(sharedEnv).map(([k, v]) => `export ${k}=${shWord(v)}`),
    ...WRAPPER_SELECT,
    ...(upstreams ? WRAPPER_UPSTREAM : ['# (no upstream attempts)']),
    ...WRAPPER_START,
    ...(s.setup.length > 0
      ? ['{', ...s.setup, '} </dev/null >>"$campaign_out" 2>>"$campaign_err"']
      : ['# (no setup lines)']),
    ...WRAPPER_RUN,
    ...(verify ? WRAPPER_VERIFY : []),
    ...WRAPPER_RESULT,
  ];
  let text = `${head.join('\n')}\n`;
  const tableLine = text.split('\n').length;
  text = text.replace(TABLE_LINE, String(tableLine));
  const rows = s.tasks.map((t) => row(t, sharedEnv, workdir, prefix));
  return `${text}${rows.join('\n')}\n`;
}

function row(
  t: ScriptTask,
  sharedEnv: Record<string, string>,
  workdir: string | undefined,
  prefix: string,
): string {
  const x = t.submission;
  const env = Object.entries(x.env).filter(([k]) => !(k in sharedEnv));
  const outputs = x.verify?.outputs ?? [];
  const check = x.verify?.check !== undefined ? commandArgv(x.verify.check, []) : [];
  const words = [
    x.taskId,
    String(x.attempt),
    x.workdir === workdir ? '' : x.workdir,
    x.files.out.slice(prefix.length),
    x.files.err.slice(prefix.length),
    x.files.result.slice(prefix.length),
    String(env.length),
    ...env.map(([k, v]) => `${k}=${v}`),
    String(t.upstreams.length),
    ...t.upstreams,
    String(outputs.length),
    ...outputs,
    String(check.length),
    ...check,
    ...commandArgv(x.command, []),
  ];
  return `${t.index} ${words.map(shWord).join(' ')}`;
}
