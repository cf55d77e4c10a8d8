#!/bin/sh
# campaign demo, run 20240501-1200-ab12, submission f00d01-3: 2 task(s).
# Written by campaign before qsub and kept for inspection; submitted with
#   qsub -terse -N demo.20240501-1200-ab12.f00d01-3 -wd '/scratch/my campaign/it'\''s "here"/runs/r1/sge' -o 'logs/$JOB_ID.$TASK_ID.log' -j y -S /bin/sh -l h_vmem=200M -t 1-2 -hold_jid 300,301 '/scratch/my campaign/it'\''s "here"/runs/r1/sge/f00d01-3.sh'
# The task table is at the end: one row per array task (SGE_TASK_ID; 1 for a plain job) of
# quoted words, never expanded: index, task, attempt, workdir (empty: the shared one), stdout,
# stderr and result (below the shared folder), then counted lists (a count, then its words):
# NAME=value words, upstream result files, output patterns, the check command; then the argv.

campaign_nl="
"
campaign_table=119
campaign_files='/scratch/my campaign/it'\''s "here"/runs/r1/tasks/'
campaign_workdir=''
campaign_after='/scratch/my campaign/it'\''s "here"/runs/r1/sge/f00d01-3.after'
campaign_limit=0 campaign_kill=10 campaign_grace=10
# Grid Engine passes no environment of the submitting shell (no -V) but its PATH, as SGE_O_PATH.
if [ -n "${SGE_O_PATH:-}" ]; then PATH=$SGE_O_PATH; export PATH; fi
case ${SGE_TASK_ID:-undefined} in undefined) campaign_index=1 ;; *) campaign_index=$SGE_TASK_ID ;; esac
campaign_row=$(awk -v s="$campaign_table" -v i="$campaign_index" 'NR >= s && $1 == i { sub(/^[0-9]+ /, ""); print; exit }' "$0")
if [ -z "$campaign_row" ]; then echo "campaign: no task for index $campaign_index in $0" >&2; exit 100; fi
eval "set -- $campaign_row"
campaign_task=$1 campaign_workdir=${3:-$campaign_workdir}
campaign_out=$campaign_files$4 campaign_err=$campaign_files$5 campaign_result=$campaign_files$6
campaign_n=$7 campaign_at=$((8 + $7))
shift 7
while [ "$campaign_n" -gt 0 ]; do export -- "$1"; shift; campaign_n=$((campaign_n - 1)); done
campaign_ups= campaign_n=$1 campaign_at=$((campaign_at + 1 + $1))
shift
while [ "$campaign_n" -gt 0 ]; do campaign_ups=$campaign_ups$1$campaign_nl; shift; campaign_n=$((campaign_n - 1)); done
# Outputs and check (read again from the row after the command), then the argv.
campaign_nout=$1; shift; shift "$campaign_nout"
campaign_ncheck=$1; shift; shift "$campaign_ncheck"
campaign_now() { campaign_t=$(date +%s%3N 2>/dev/null); case $campaign_t in *[!0-9]* | "") echo $(($(date +%s) * 1000)) ;; *) echo "$campaign_t" ;; esac; }
mkdir -p -- "${campaign_out%/*}" "${campaign_err%/*}" "${campaign_result%/*}" 2>/dev/null
campaign_start=$(campaign_now) campaign_code=0 campaign_sig=0 campaign_child=0 campaign_pid=0
campaign_timedout=0 campaign_watch=0 campaign_killer=0 campaign_status=0 campaign_verify=
echo "campaign: task $campaign_task, index $campaign_index, job ${JOB_ID:-?}, on ${HOSTNAME:-?}"
if [ -n "$campaign_after$campaign_ups" ]; then
  campaign_waited=0
  while :; do
    campaign_up=$({ if [ -n "$campaign_after" ]; then cat -- "$campaign_after"; fi; printf '%s' "$campaign_ups"; } | awk '$0 == "" { next } { p = $0; r = (getline l < p); close(p); if (r > 0) { if (l ~ /^v1 exit=0 signal=0 timedout=0 cancelled=0 / && l !~ / verify=(outputs|check)/) next; print p; exit 1 }; u = p ".unsatisfiable"; r = (getline l < u); close(u); print p; exit (r > 0 ? 1 : 2) }')
    campaign_s=$?
    if [ "$campaign_s" -ne 2 ] || [ "$campaign_waited" -ge "$campaign_grace" ]; then break; fi
    sleep 1; campaign_waited=$((campaign_waited + 1))
  done
  if [ "$campaign_s" -ne 0 ]; then
    echo "campaign: not run: the upstream attempt of $campaign_up did not succeed" >>"$campaign_err"
    printf 'unsatisfiable %s\n' "$campaign_up" >"$campaign_result.unsatisfiable.tmp.$$" &&
      mv -f -- "$campaign_result.unsatisfiable.tmp.$$" "$campaign_result.unsatisfiable"
    exit 100
  fi
fi
campaign_stop() {
  trap '' TERM
  kill -TERM 0 2>/dev/null
  if [ "$campaign_child" -gt 0 ] && [ "$campaign_killer" -eq 0 ]; then
    (sleep "$campaign_kill"; kill -KILL "$campaign_child" 2>/dev/null) </dev/null >/dev/null 2>&1 &
    campaign_killer=$!
  fi
}
trap 'campaign_timedout=1; campaign_stop' USR1
trap 'campaign_stop' TERM INT HUP
if [ "$campaign_limit" -gt 0 ]; then
  (sleep "$campaign_limit"; kill -USR1 $$) </dev/null >/dev/null 2>&1 &
  campaign_watch=$!
fi
if ! cd -- "$campaign_workdir" 2>>"$campaign_err"; then
  echo "campaign: cannot enter the working directory $campaign_workdir" >>"$campaign_err"
  campaign_code=126
fi
if [ "$campaign_code" -eq 0 ]; then
# (no setup lines)
campaign_rusage=$campaign_result.rusage
# (Not when the limit was reached during the setup lines.)
if [ "$campaign_timedout" -eq 0 ]; then
  if [ -x /usr/bin/time ] && /usr/bin/time -f '' -o /dev/null true 2>/dev/null; then
    /usr/bin/time -f 'campaign-rusage %M %U %S' -o "$campaign_rusage" -- "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &
  else
    "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &
  fi
  campaign_child=$! campaign_pid=$!
  while :; do
    wait "$campaign_child"; campaign_code=$?
    kill -0 "$campaign_child" 2>/dev/null || break
  done
fi
fi
if [ "$campaign_watch" -gt 0 ]; then kill "$campaign_watch" 2>/dev/null; fi
if [ "$campaign_killer" -gt 0 ]; then kill "$campaign_killer" 2>/dev/null; fi
campaign_end=$(campaign_now) campaign_rss=-1 campaign_cpu=
if [ -s "${campaign_rusage:-}" ]; then
  while read -r a b c d e; do
    case $a in
      campaign-rusage) campaign_rss=$b; campaign_cpu=$(awk -v u="$c" -v s="$d" 'BEGIN { printf "%d", (u + s) * 1000 }') ;;
      Command) [ "$b" = terminated ] && campaign_sig=$e ;;
    esac
  done <"$campaign_rusage"
elif [ "$campaign_code" -gt 128 ]; then
  campaign_sig=$((campaign_code - 128))
fi
rm -f -- "${campaign_rusage:-}"
if [ -z "$campaign_cpu" ]; then
  campaign_cpu=$(times | sed -n 2p | awk '{ split($1, u, "m"); split($2, s, "m"); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }')
fi
campaign_n=$(grep -c requeued -- "$campaign_result.requeued" 2>/dev/null)
if [ "$campaign_code" -eq 99 ] && [ "$campaign_timedout" -eq 0 ] && [ "${campaign_n:-0}" -lt 3 ]; then
  echo "campaign: exit code 99: Grid Engine runs the job again" >>"$campaign_err"
  echo requeued >>"$campaign_result.requeued"
  exit 99
fi
if [ "$campaign_sig" -gt 0 ]; then campaign_code=-1; fi
printf 'v1 exit=%s signal=%s timedout=%s cancelled=0 wall_ms=%s cpu_ms=%s maxrss_kib=%s start_ms=%s pid=%s%s\n' \
  "$campaign_code" "$campaign_sig" "$campaign_timedout" $((campaign_end - campaign_start)) "${campaign_cpu:-0}" \
  "$campaign_rss" "$campaign_start" "$campaign_pid" "$campaign_verify" >"$campaign_result.tmp.$$" &&
  mv -f -- "$campaign_result.tmp.$$" "$campaign_result"
if [ "$campaign_code" -ne 0 ] || [ "$campaign_status" -ne 0 ] || [ "$campaign_timedout" -ne 0 ]; then exit 100; fi
exit 0
1 m-0 1 '/scratch/my campaign/it'\''s "here"/w one' m-0/1.out m-0/1.err m-0/1.result 2 CAMPAIGN_NAME=demo CAMPAIGN_TASK_ID=m-0 0 0 0 true
2 m-1 1 '/scratch/my campaign/it'\''s "here"/w two' m-1/1.out m-1/1.err m-1/1.result 1 ONLY=here 0 0 0 /bin/sh -c 'exit 0'
