import { fileURLToPath } from 'node:url';
import { oneLine, shellWord } from '../batch/quote.js';
import { common, commonDir, commonEnv, WRAPPER_RUSAGE } from '../batch/script-parts.js';
import type { Submission } from '../contract.js';
import { commandArgv } from '../launcher/launch.js';
import { type Request, sbatchLines } from './directives.js';
import { MISSING_EXIT } from './verify-outputs.js';

/** One task of a submission script and the array index that selects it. */
export interface ScriptTask {
  readonly index: number;
  readonly submission: Submission;
}

/** Everything one generated batch script holds. */
export interface ScriptInput {
  readonly campaign: string;
  readonly runId: string;
  readonly token: string;
  readonly jobName: string;
  /** The slurm folder: the script's home and Slurm's own logs. */
  readonly dir: string;
  readonly request: Request;
  readonly setup: readonly string[];
  readonly tasks: readonly ScriptTask[];
  /** `--array` value; absent for a plain job (its one task is index 0). */
  readonly array?: string;
  readonly dependency?: string;
  /**
   * The node binary and the verifier module that check outputs inside the job (default: the
   * head's own); they must be visible from the compute nodes, else the head verifies.
   */
  readonly verifier?: { readonly node: string; readonly script: string };
}

/** The module the job runs to check outputs, with the same code as the engine. */
export const VERIFIER: { readonly node: string; readonly script: string } = {
  node: process.execPath,
  script: fileURLToPath(new URL('../../../dist/schedulers/slurm/verify-outputs.js', import.meta.url)),
};

const TABLE_LINE = '@TABLE_LINE@';

/**
 * The batch script of one submission: `#SBATCH` directives, the environment and setup shared
 * by its tasks, a wrapper that runs the task of `$SLURM_ARRAY_TASK_ID` and records its result
 * line, and after `exit` the task table, one row of quoted words per task.
 */
export function renderScript(s: ScriptInput): string {
  const subs = s.tasks.map((t) => t.submission);
  const sharedEnv = commonEnv(subs);
  const workdir = common(subs.map((x) => x.workdir));
  const prefix = commonDir(subs.flatMap((x) => [x.files.out, x.files.err, x.files.result]));
  const verify = subs.some((x) => x.verify !== undefined);
  const head = [
    '#!/bin/bash',
    ...sbatchLines(s.request, {
      jobName: s.jobName,
      dir: s.dir,
      ...(s.array ? { array: s.array } : {}),
      ...(s.dependency ? { dependency: s.dependency } : {}),
    }),
    '#',
    `# campaign ${oneLine(s.campaign)}, run ${oneLine(s.runId)}, submission ${s.token}: ${s.tasks.length} task(s).`,
    '# Written by campaign before sbatch and kept for inspection. The task table is at the end:',
    '# one row per array index of quoted words, never expanded: index, task, attempt, workdir',
    '# (empty: the shared one), stdout, stderr and result (below the shared folder), the number',
    ...(verify
      ? [
          '# of NAME=value words that follow and those words, the number of output patterns to verify',
          '# and those, the number of words of the check command and those, then the argv to run.',
        ]
      : ['# of NAME=value words that follow, then the argv to run.']),
    '',
    `campaign_table=${TABLE_LINE}`,
    `campaign_files=${shellWord(prefix)}`,
    `campaign_workdir=${shellWord(workdir ?? '')}`,
    ...(subs.some((x) => (x.verify?.outputs.length ?? 0) > 0)
      ? [
          `campaign_node=${shellWord((s.verifier ?? VERIFIER).node)}`,
          `campaign_verifier=${shellWord((s.verifier ?? VERIFIER).script)}`,
        ]
      : []),
    ...Object.entries(sharedEnv).map(([k, v]) => `export ${k}=${shellWord(v)}`),
    ...WRAPPER_SELECT,
    ...(verify ? WRAPPER_SELECT_VERIFY : []),
    ...WRAPPER_START,
    ...(s.setup.length > 0
      ? ['{', ...s.setup, '} </dev/null >>"$campaign_out" 2>>"$campaign_err"']
      : ['# (no setup lines)']),
    ...WRAPPER_RUN,
    ...(verify ? WRAPPER_VERIFY : ['campaign_verify= campaign_status=0']),
    ...WRAPPER_RESULT,
    'exit "$campaign_code"',
  ];
  let text = `${head.join('\n')}\n`;
  const tableLine = text.split('\n').length;
  text = text.replace(TABLE_LINE, String(tableLine));
  const rows = s.tasks.map((t) => row(t, sharedEnv, workdir, prefix, verify));
  return `${text}${rows.join('\n')}\n`;
}

function row(
  t: ScriptTask,
  sharedEnv: Record<string, string>,
  workdir: string | undefined,
  prefix: string,
  verify: boolean,
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
    ...(verify ? [String(outputs.length), ...outputs, String(check.length), ...check] : []),
    ...commandArgv(x.command, []),
  ];
  return `${t.index} ${words.map(shellWord).join(' ')}`;
}

/** Finds the row of this array index and takes its files, workdir and environment. */
const WRAPPER_SELECT = [
  'campaign_index=${SLURM_ARRAY_TASK_ID:-0}',
  `campaign_row=$(awk -v s="$campaign_table" -v i="$campaign_index" 'NR >= s && $1 == i { sub(/^[0-9]+ /, ""); print; exit }' "$0")`,
  'if [ -z "$campaign_row" ]; then echo "campaign: no task for index $campaign_index in $0" >&2; exit 3; fi',
  'eval "set -- $campaign_row"',
  'campaign_task=$1 campaign_workdir=${3:-$campaign_workdir}',
  'campaign_out=$campaign_files$4 campaign_err=$campaign_files$5 campaign_result=$campaign_files$6',
  'campaign_nenv=$7',
  'shift 7',
  'while [ "$campaign_nenv" -gt 0 ]; do export -- "$1"; shift; campaign_nenv=$((campaign_nenv - 1)); done',
];

/** Scripts whose tasks verify: the row's output patterns and check command follow its environment. */
const WRAPPER_SELECT_VERIFY = [
  'campaign_outputs=() campaign_check=() campaign_n=$1; shift',
  'while [ "$campaign_n" -gt 0 ]; do campaign_outputs+=("$1"); shift; campaign_n=$((campaign_n - 1)); done',
  'campaign_n=$1; shift',
  'while [ "$campaign_n" -gt 0 ]; do campaign_check+=("$1"); shift; campaign_n=$((campaign_n - 1)); done',
];

/** Enters the working folder; the setup lines and the command follow. */
const WRAPPER_START = [
  'campaign_now() { if [ -n "${EPOCHREALTIME:-}" ]; then local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); else date +%s%3N; fi; }',
  'mkdir -p -- "${campaign_out%/*}" "${campaign_err%/*}" "${campaign_result%/*}" 2>/dev/null',
  'campaign_start=$(campaign_now) campaign_code=0 campaign_sig=0 campaign_child=0',
  'echo "campaign: task $campaign_task, index $campaign_index, on ${HOSTNAME:-?}"',
  'if ! cd -- "$campaign_workdir" 2>>"$campaign_err"; then',
  '  echo "campaign: cannot enter the working directory $campaign_workdir" >>"$campaign_err"',
  '  campaign_code=126',
  'fi',
  'if [ "$campaign_code" -eq 0 ]; then',
];

/**
 * Runs the argv in the background so a TERM from Slurm (time limit, scancel) reaches this
 * shell at once; forwards it, then records exit code or signal, wall and CPU time and peak
 * memory (GNU time when present, else the shell's `times`) in the result line, atomically.
 */
const WRAPPER_RUN = [
  'trap \'[ "$campaign_child" -gt 0 ] && kill -TERM "$campaign_child" 2>/dev/null\' TERM INT HUP',
  'campaign_rusage=$campaign_result.rusage',
  "if [ -x /usr/bin/time ] && /usr/bin/time -f '' -o /dev/null true 2>/dev/null; then",
  `  /usr/bin/time -f 'campaign-rusage %M %U %S' -o "$campaign_rusage" -- "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &`,
  'else',
  '  "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &',
  'fi',
  'campaign_child=$!',
  'while :; do',
  '  wait "$campaign_child"; campaign_code=$?',
  '  kill -0 "$campaign_child" 2>/dev/null || break',
  'done',
  'fi',
  ...WRAPPER_RUSAGE,
  'if [ "$campaign_sig" -gt 0 ]; then campaign_code=-1; fi',
  'campaign_pid=$campaign_child',
];

/**
 * When the command exited 0 and the task has outputs or a check: the outputs are verified by
 * the engine's own code (node, the verifier module), then the check runs as the engine runs
 * it (in the workdir, its output appended to the attempt's `.check` file, in the background
 * so a TERM reaches it, killed after 600 s). A failure makes the job's exit status non-zero,
 * so Slurm's `afterok` holds dependents of an attempt whose outputs are wrong. Where node
 * cannot run, `verify=unavailable` leaves outputs and check to the head.
 */
const WRAPPER_VERIFY = [
  'campaign_verify= campaign_status=0',
  'if [ "$campaign_code" -eq 0 ] && [ $((${#campaign_outputs[@]} + ${#campaign_check[@]})) -gt 0 ]; then',
  "  campaign_verify=' verify=ok'",
  '  if [ "${#campaign_outputs[@]}" -gt 0 ]; then',
  '    campaign_missing=$("$campaign_node" "$campaign_verifier" "$campaign_workdir" "${campaign_outputs[@]}" </dev/null 2>>"$campaign_err")',
  '    case $? in',
  '      0) ;;',
  `      ${MISSING_EXIT}) campaign_verify=" verify=outputs missing=$campaign_missing" campaign_status=1 ;;`,
  "      *) campaign_verify=' verify=unavailable' campaign_check=() ;;",
  '    esac',
  '  fi',
  `  if [ "$campaign_verify" = ' verify=ok' ] && [ "\${#campaign_check[@]}" -gt 0 ]; then`,
  '    case $campaign_err in *.err) campaign_log=${campaign_err%.err}.check ;; *) campaign_log=$campaign_err ;; esac',
  '    set -- "${campaign_check[@]}"',
  '    if command -v timeout >/dev/null 2>&1; then set -- timeout -s KILL 600 "$@"; fi',
  '    "$@" </dev/null >>"$campaign_log" 2>&1 &',
  '    campaign_child=$!',
  '    while :; do',
  '      wait "$campaign_child"; campaign_status=$?',
  '      kill -0 "$campaign_child" 2>/dev/null || break',
  '    done',
  '    if [ "$campaign_status" -ne 0 ]; then',
  // As the engine reports a check that died of a signal (it has no exit code then): -1.
  '      campaign_verify=" verify=check check_exit=$([ "$campaign_status" -gt 128 ] && echo -1 || echo "$campaign_status")"',
  '    fi',
  '  fi',
  'fi',
];

/** The result line, written atomically; the job exits with the task's status, or the verification's. */
const WRAPPER_RESULT = [
  `printf 'v1 exit=%s signal=%s timedout=0 cancelled=0 wall_ms=%s cpu_ms=%s maxrss_kib=%s start_ms=%s pid=%s%s\\n' \\`,
  '  "$campaign_code" "$campaign_sig" $((campaign_end - campaign_start)) "${campaign_cpu:-0}" "$campaign_rss" \\',
  '  "$campaign_start" "$campaign_pid" "$campaign_verify" >"$campaign_result.tmp.$$" && mv -f -- "$campaign_result.tmp.$$" "$campaign_result"',
  'if [ "$campaign_sig" -gt 0 ]; then campaign_code=$((128 + campaign_sig)); fi',
  'if [ "$campaign_status" -ne 0 ]; then campaign_code=$campaign_status; fi',
];
