import { WRAPPER_RUSAGE } from '../batch/script-parts.js';
import { MISSING_EXIT } from '../slurm/verify-outputs.js';

/**
 * The POSIX sh wrapper of a generated Grid Engine script, in parts (`-S /bin/sh`: dash has
 * no arrays and no `$'...'`, so lists are read again from the task's row when needed).
 *
 * Exit status: 0 when the attempt succeeded (command exited 0, outputs and check passed);
 * 100 for every failure, after the result line is written: Grid Engine then keeps the task
 * in its error state (Eqw) and every job held for it (-hold_jid, -hold_jid_ad) stays held,
 * with no head watching; 99 (the command's own 99) asks Grid Engine to run it again, at most
 * three times.
 */

/** Finds the row of `$SGE_TASK_ID` (1 for a plain job) and takes its files, environment and lists. */
export const WRAPPER_SELECT = [
  'case ${SGE_TASK_ID:-undefined} in undefined) campaign_index=1 ;; *) campaign_index=$SGE_TASK_ID ;; esac',
  `campaign_row=$(awk -v s="$campaign_table" -v i="$campaign_index" 'NR >= s && $1 == i { sub(/^[0-9]+ /, ""); print; exit }' "$0")`,
  'if [ -z "$campaign_row" ]; then echo "campaign: no task for index $campaign_index in $0" >&2; exit 100; fi',
  'eval "set -- $campaign_row"',
  'campaign_task=$1 campaign_workdir=${3:-$campaign_workdir}',
  'campaign_out=$campaign_files$4 campaign_err=$campaign_files$5 campaign_result=$campaign_files$6',
  'campaign_n=$7 campaign_at=$((8 + $7))',
  'shift 7',
  'while [ "$campaign_n" -gt 0 ]; do export -- "$1"; shift; campaign_n=$((campaign_n - 1)); done',
  'campaign_ups= campaign_n=$1 campaign_at=$((campaign_at + 1 + $1))',
  'shift',
  'while [ "$campaign_n" -gt 0 ]; do campaign_ups=$campaign_ups$1$campaign_nl; shift; campaign_n=$((campaign_n - 1)); done',
  '# Outputs and check (read again from the row after the command), then the argv.',
  'campaign_nout=$1; shift; shift "$campaign_nout"',
  'campaign_ncheck=$1; shift; shift "$campaign_ncheck"',
  'campaign_now() { campaign_t=$(date +%s%3N 2>/dev/null); case $campaign_t in *[!0-9]* | "") echo $(($(date +%s) * 1000)) ;; *) echo "$campaign_t" ;; esac; }',
  'mkdir -p -- "${campaign_out%/*}" "${campaign_err%/*}" "${campaign_result%/*}" 2>/dev/null',
  'campaign_start=$(campaign_now) campaign_code=0 campaign_sig=0 campaign_child=0 campaign_pid=0',
  'campaign_timedout=0 campaign_watch=0 campaign_killer=0 campaign_status=0 campaign_verify=',
  'echo "campaign: task $campaign_task, index $campaign_index, job ${JOB_ID:-?}, on ${HOSTNAME:-?}"',
];

/**
 * Whether an upstream attempt succeeded, from its result line: one path a line on stdin.
 * Exit 0: all did; 1: the one printed did not (or was given up itself); 2: the one printed
 * has no result yet.
 */
const UPSTREAM_AWK =
  `'$0 == "" { next } { p = $0; r = (getline l < p); close(p);` +
  ` if (r > 0) { if (l ~ /^v1 exit=0 signal=0 timedout=0 cancelled=0 / && l !~ / verify=(outputs|check)/) next; print p; exit 1 };` +
  ` u = p ".unsatisfiable"; r = (getline l < u); close(u); print p; exit (r > 0 ? 1 : 2) }'`;

/**
 * Grid Engine drops a hold on a job that has left its queue, so the hold alone does not say
 * that the upstream attempts succeeded: each one's result line must. A result may lag on a
 * shared file system: it is waited for up to `campaign_grace` seconds. An attempt whose
 * upstream did not succeed is given up: a `.unsatisfiable` file beside its result, exit 100.
 */
export const WRAPPER_UPSTREAM = [
  'if [ -n "$campaign_after$campaign_ups" ]; then',
  '  campaign_waited=0',
  '  while :; do',
  `    campaign_up=$({ if [ -n "$campaign_after" ]; then cat -- "$campaign_after"; fi; printf '%s' "$campaign_ups"; } | awk ${UPSTREAM_AWK})`,
  '    campaign_s=$?',
  '    if [ "$campaign_s" -ne 2 ] || [ "$campaign_waited" -ge "$campaign_grace" ]; then break; fi',
  '    sleep 1; campaign_waited=$((campaign_waited + 1))',
  '  done',
  '  if [ "$campaign_s" -ne 0 ]; then',
  '    echo "campaign: not run: the upstream attempt of $campaign_up did not succeed" >>"$campaign_err"',
  `    printf 'unsatisfiable %s\\n' "$campaign_up" >"$campaign_result.unsatisfiable.tmp.$$" &&`,
  '      mv -f -- "$campaign_result.unsatisfiable.tmp.$$" "$campaign_result.unsatisfiable"',
  '    exit 100',
  '  fi',
  'fi',
];

/**
 * Enters the working folder and starts the limit's watcher: at the limit (or at a USR1 from
 * Grid Engine's soft limit, where a site sets one) every process of the job but this shell
 * gets TERM, the command KILL `campaign_kill` seconds later. `h_rt` is a few seconds beyond.
 */
export const WRAPPER_START = [
  'campaign_stop() {',
  "  trap '' TERM",
  '  kill -TERM 0 2>/dev/null',
  '  if [ "$campaign_child" -gt 0 ] && [ "$campaign_killer" -eq 0 ]; then',
  '    (sleep "$campaign_kill"; kill -KILL "$campaign_child" 2>/dev/null) </dev/null >/dev/null 2>&1 &',
  '    campaign_killer=$!',
  '  fi',
  '}',
  "trap 'campaign_timedout=1; campaign_stop' USR1",
  "trap 'campaign_stop' TERM INT HUP",
  'if [ "$campaign_limit" -gt 0 ]; then',
  '  (sleep "$campaign_limit"; kill -USR1 $$) </dev/null >/dev/null 2>&1 &',
  '  campaign_watch=$!',
  'fi',
  'if ! cd -- "$campaign_workdir" 2>>"$campaign_err"; then',
  '  echo "campaign: cannot enter the working directory $campaign_workdir" >>"$campaign_err"',
  '  campaign_code=126',
  'fi',
  'if [ "$campaign_code" -eq 0 ]; then',
];

/**
 * Runs the argv in the background (so a signal reaches this shell at once) under GNU time when
 * present (peak RSS and CPU), else CPU from the shell's `times`.
 */
export const WRAPPER_RUN = [
  'campaign_rusage=$campaign_result.rusage',
  '# (Not when the limit was reached during the setup lines.)',
  'if [ "$campaign_timedout" -eq 0 ]; then',
  "  if [ -x /usr/bin/time ] && /usr/bin/time -f '' -o /dev/null true 2>/dev/null; then",
  `    /usr/bin/time -f 'campaign-rusage %M %U %S' -o "$campaign_rusage" -- "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &`,
  '  else',
  '    "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &',
  '  fi',
  '  campaign_child=$! campaign_pid=$!',
  '  while :; do',
  '    wait "$campaign_child"; campaign_code=$?',
  '    kill -0 "$campaign_child" 2>/dev/null || break',
  '  done',
  'fi',
  'fi',
  'if [ "$campaign_watch" -gt 0 ]; then kill "$campaign_watch" 2>/dev/null; fi',
  'if [ "$campaign_killer" -gt 0 ]; then kill "$campaign_killer" 2>/dev/null; fi',
  ...WRAPPER_RUSAGE,
  'campaign_n=$(grep -c requeued -- "$campaign_result.requeued" 2>/dev/null)',
  'if [ "$campaign_code" -eq 99 ] && [ "$campaign_timedout" -eq 0 ] && [ "${campaign_n:-0}" -lt 3 ]; then',
  '  echo "campaign: exit code 99: Grid Engine runs the job again" >>"$campaign_err"',
  '  echo requeued >>"$campaign_result.requeued"',
  '  exit 99',
  'fi',
  'if [ "$campaign_sig" -gt 0 ]; then campaign_code=-1; fi',
];

/** Paths one a line → URI-encoded (UTF-8 bytes as `%XX`), comma-joined: the result line's `missing=`. */
const ENCODE_AWK =
  `'BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }` +
  ` $0 != "" { s = ""; for (k = 1; k <= length($0); k++) { c = substr($0, k, 1);` +
  ` s = s (c ~ /[A-Za-z0-9_.!~*()\\/-]/ ? c : sprintf("%%%02X", ord[c])) }; out = out (n++ ? "," : "") s }` +
  ` END { print out }'`;

/** Keeps the first `$1` of the words after it as "$@" (no arrays in sh): `set -- ...` in the caller. */
const KEEP_FIRST = (n: string) => [
  `  campaign_i=0 campaign_n=$#`,
  '  while [ "$campaign_i" -lt "$campaign_n" ]; do',
  `    if [ "$campaign_i" -lt "${n}" ]; then set -- "$@" "$1"; fi`,
  '    shift; campaign_i=$((campaign_i + 1))',
  '  done',
];

/**
 * When the command exited 0 and the task has outputs or a check: outputs without wildcards
 * are tested by the shell (as the engine does: the path exists), patterns by the engine's own
 * code (node --jitless, the verifier module: it runs in about 200 MB of address space, which
 * h_vmem limits); then the check runs as the engine runs it (in the workdir, its output
 * appended to the attempt's `.check` file, killed after 600 s). A failure fails the job, so
 * what is held for it stays held. Where node cannot run for a pattern, `verify=unavailable`
 * leaves outputs and check to the head.
 */
export const WRAPPER_VERIFY = [
  'if [ "$campaign_code" -eq 0 ] && [ "$campaign_timedout" -eq 0 ] && [ $((campaign_nout + campaign_ncheck)) -gt 0 ]; then',
  "  campaign_verify=' verify=ok'",
  'fi',
  `if [ "$campaign_verify" = ' verify=ok' ] && [ "$campaign_nout" -gt 0 ]; then`,
  '  eval "set -- $campaign_row"; shift "$campaign_at"',
  ...KEEP_FIRST('$campaign_nout'),
  '  campaign_missing= campaign_globs=0',
  '  for campaign_o in "$@"; do',
  '    case $campaign_o in',
  '      *[][*?{}]*) campaign_globs=1 ;;',
  '      *) [ -e "$campaign_o" ] || campaign_missing=$campaign_missing$campaign_o$campaign_nl ;;',
  '    esac',
  '  done',
  '  campaign_enc=',
  '  if [ "$campaign_globs" -eq 1 ]; then',
  '    campaign_found=$("$campaign_node" --jitless "$campaign_verifier" "$campaign_workdir" "$@" </dev/null 2>/dev/null)',
  '    case $? in',
  '      0) campaign_missing= ;;',
  `      ${MISSING_EXIT}) campaign_enc=$campaign_found ;;`,
  `      *) [ -n "$campaign_missing" ] || campaign_verify=' verify=unavailable' campaign_ncheck=0 ;;`,
  '    esac',
  '  fi',
  '  if [ -z "$campaign_enc" ] && [ -n "$campaign_missing" ]; then',
  `    campaign_enc=$(printf '%s' "$campaign_missing" | LC_ALL=C awk ${ENCODE_AWK})`,
  '  fi',
  '  if [ -n "$campaign_enc" ]; then campaign_verify=" verify=outputs missing=$campaign_enc" campaign_status=1; fi',
  'fi',
  `if [ "$campaign_verify" = ' verify=ok' ] && [ "$campaign_ncheck" -gt 0 ]; then`,
  '  case $campaign_err in *.err) campaign_log=${campaign_err%.err}.check ;; *) campaign_log=$campaign_err ;; esac',
  '  eval "set -- $campaign_row"; shift $((campaign_at + campaign_nout + 1))',
  ...KEEP_FIRST('$campaign_ncheck'),
  '  if command -v timeout >/dev/null 2>&1; then set -- timeout -s KILL 600 "$@"; fi',
  '  "$@" </dev/null >>"$campaign_log" 2>&1 &',
  '  campaign_child=$!',
  '  while :; do',
  '    wait "$campaign_child"; campaign_status=$?',
  '    kill -0 "$campaign_child" 2>/dev/null || break',
  '  done',
  '  if [ "$campaign_status" -ne 0 ]; then',
  // As the engine reports a check that died of a signal (it has no exit code then): -1.
  '    campaign_verify=" verify=check check_exit=$([ "$campaign_status" -gt 128 ] && echo -1 || echo "$campaign_status")"',
  '  fi',
  'fi',
];

/** The result line, written atomically; then 0 for success, 100 for any failure. */
export const WRAPPER_RESULT = [
  `printf 'v1 exit=%s signal=%s timedout=%s cancelled=0 wall_ms=%s cpu_ms=%s maxrss_kib=%s start_ms=%s pid=%s%s\\n' \\`,
  '  "$campaign_code" "$campaign_sig" "$campaign_timedout" $((campaign_end - campaign_start)) "${campaign_cpu:-0}" \\',
  '  "$campaign_rss" "$campaign_start" "$campaign_pid" "$campaign_verify" >"$campaign_result.tmp.$$" &&',
  '  mv -f -- "$campaign_result.tmp.$$" "$campaign_result"',
  'if [ "$campaign_code" -ne 0 ] || [ "$campaign_status" -ne 0 ] || [ "$campaign_timedout" -ne 0 ]; then exit 100; fi',
  'exit 0',
];
