#!/bin/bash
#SBATCH --job-name=demo.20240501-1200-ab12.f00d01-3
#SBATCH --chdir="/scratch/my campaign/it's \"here\"/runs/r1/slurm"
#SBATCH --output="/scratch/my campaign/it's \"here\"/runs/r1/slurm/slurm-%A_%a.log"
#SBATCH --nodes=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=100M
#SBATCH --array=0,5
#
# campaign demo, run 20240501-1200-ab12, submission f00d01-3: 2 task(s).
# Written by campaign before sbatch and kept for inspection. The task table is at the end:
# one row per array index of quoted words, never expanded: index, task, attempt, workdir
# (empty: the shared one), stdout, stderr and result (below the shared folder), the number
# of NAME=value words that follow, then the argv to run.

campaign_table=75
campaign_files='/scratch/my campaign/it'\''s "here"/runs/r1/tasks/'
campaign_workdir=''
campaign_index=${SLURM_ARRAY_TASK_ID:-0}
campaign_row=$(awk -v s="$campaign_table" -v i="$campaign_index" 'NR >= s && $1 == i { sub(/^[0-9]+ /, ""); print; exit }' "$0")
if [ -z "$campaign_row" ]; then echo "campaign: no task for index $campaign_index in $0" >&2; exit 3; fi
eval "set -- $campaign_row"
campaign_task=$1 campaign_workdir=${3:-$campaign_workdir}
campaign_out=$campaign_files$4 campaign_err=$campaign_files$5 campaign_result=$campaign_files$6
campaign_nenv=$7
shift 7
while [ "$campaign_nenv" -gt 0 ]; do export -- "$1"; shift; campaign_nenv=$((campaign_nenv - 1)); done
campaign_now() { if [ -n "${EPOCHREALTIME:-}" ]; then local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); else date +%s%3N; fi; }
mkdir -p -- "${campaign_out%/*}" "${campaign_err%/*}" "${campaign_result%/*}" 2>/dev/null
campaign_start=$(campaign_now) campaign_code=0 campaign_sig=0 campaign_child=0
echo "campaign: task $campaign_task, index $campaign_index, on ${HOSTNAME:-?}"
if ! cd -- "$campaign_workdir" 2>>"$campaign_err"; then
  echo "campaign: cannot enter the working directory $campaign_workdir" >>"$campaign_err"
  campaign_code=126
fi
if [ "$campaign_code" -eq 0 ]; then
# (no setup lines)
trap '[ "$campaign_child" -gt 0 ] && kill -TERM "$campaign_child" 2>/dev/null' TERM INT HUP
campaign_rusage=$campaign_result.rusage
if [ -x /usr/bin/time ] && /usr/bin/time -f '' -o /dev/null true 2>/dev/null; then
  /usr/bin/time -f 'campaign-rusage %M %U %S' -o "$campaign_rusage" -- "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &
else
  "$@" </dev/null >>"$campaign_out" 2>>"$campaign_err" &
fi
campaign_child=$!
while :; do
  wait "$campaign_child"; campaign_code=$?
  kill -0 "$campaign_child" 2>/dev/null || break
done
fi
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
if [ "$campaign_sig" -gt 0 ]; then campaign_code=-1; fi
campaign_pid=$campaign_child
campaign_verify= campaign_status=0
printf 'v1 exit=%s signal=%s timedout=0 cancelled=0 wall_ms=%s cpu_ms=%s maxrss_kib=%s start_ms=%s pid=%s%s\n' \
  "$campaign_code" "$campaign_sig" $((campaign_end - campaign_start)) "${campaign_cpu:-0}" "$campaign_rss" \
  "$campaign_start" "$campaign_pid" "$campaign_verify" >"$campaign_result.tmp.$$" && mv -f -- "$campaign_result.tmp.$$" "$campaign_result"
if [ "$campaign_sig" -gt 0 ]; then campaign_code=$((128 + campaign_sig)); fi
if [ "$campaign_status" -ne 0 ]; then campaign_code=$campaign_status; fi
exit "$campaign_code"
0 m-0 1 '/scratch/my campaign/it'\''s "here"/w one' m-0/1.out m-0/1.err m-0/1.result 2 CAMPAIGN_NAME=demo CAMPAIGN_TASK_ID=m-0 true
5 m-1 1 '/scratch/my campaign/it'\''s "here"/w two' m-1/1.out m-1/1.err m-1/1.result 1 ONLY=here /bin/sh -c 'exit 0'
