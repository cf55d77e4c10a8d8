#!/bin/bash
#SBATCH --job-name=demo.20240501-1200-ab12.f00d01-4
#SBATCH --chdir="/scratch/my campaign/it's \"here\"/runs/r1/slurm"
#SBATCH --output="/scratch/my campaign/it's \"here\"/runs/r1/slurm/slurm-%A_%a.log"
#SBATCH --nodes=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=100M
#SBATCH --array=0-2
#
# campaign demo, run 20240501-1200-ab12, submission f00d01-4: 3 task(s).
# Written by campaign before sbatch and kept for inspection. The task table is at the end:
# one row per array index of quoted words, never expanded: index, task, attempt, workdir
# (empty: the shared one), stdout, stderr and result (below the shared folder), the number
# of NAME=value words that follow and those words, the number of output patterns to verify
# and those, the number of words of the check command and those, then the argv to run.

campaign_table=108
campaign_files='/scratch/my campaign/it'\''s "here"/runs/r1/tasks/'
campaign_workdir='/scratch/my campaign/it'\''s "here"/work'
campaign_node='/opt/node 20/bin/node'
campaign_verifier=/opt/campaign/dist/schedulers/slurm/verify-outputs.js
export CAMPAIGN_NAME=demo
campaign_index=${SLURM_ARRAY_TASK_ID:-0}
campaign_row=$(awk -v s="$campaign_table" -v i="$campaign_index" 'NR >= s && $1 == i { sub(/^[0-9]+ /, ""); print; exit }' "$0")
if [ -z "$campaign_row" ]; then echo "campaign: no task for index $campaign_index in $0" >&2; exit 3; fi
eval "set -- $campaign_row"
campaign_task=$1 campaign_workdir=${3:-$campaign_workdir}
campaign_out=$campaign_files$4 campaign_err=$campaign_files$5 campaign_result=$campaign_files$6
campaign_nenv=$7
shift 7
while [ "$campaign_nenv" -gt 0 ]; do export -- "$1"; shift; campaign_nenv=$((campaign_nenv - 1)); done
campaign_outputs=() campaign_check=() campaign_n=$1; shift
while [ "$campaign_n" -gt 0 ]; do campaign_outputs+=("$1"); shift; campaign_n=$((campaign_n - 1)); done
campaign_n=$1; shift
while [ "$campaign_n" -gt 0 ]; do campaign_check+=("$1"); shift; campaign_n=$((campaign_n - 1)); done
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
if [ "$campaign_code" -eq 0 ] && [ $((${#campaign_outputs[@]} + ${#campaign_check[@]})) -gt 0 ]; then
  campaign_verify=' verify=ok'
  if [ "${#campaign_outputs[@]}" -gt 0 ]; then
    campaign_missing=$("$campaign_node" "$campaign_verifier" "$campaign_workdir" "${campaign_outputs[@]}" </dev/null 2>>"$campaign_err")
    case $? in
      0) ;;
      10) campaign_verify=" verify=outputs missing=$campaign_missing" campaign_status=1 ;;
      *) campaign_verify=' verify=unavailable' campaign_check=() ;;
    esac
  fi
  if [ "$campaign_verify" = ' verify=ok' ] && [ "${#campaign_check[@]}" -gt 0 ]; then
    case $campaign_err in *.err) campaign_log=${campaign_err%.err}.check ;; *) campaign_log=$campaign_err ;; esac
    set -- "${campaign_check[@]}"
    if command -v timeout >/dev/null 2>&1; then set -- timeout -s KILL 600 "$@"; fi
    "$@" </dev/null >>"$campaign_log" 2>&1 &
    campaign_child=$!
    while :; do
      wait "$campaign_child"; campaign_status=$?
      kill -0 "$campaign_child" 2>/dev/null || break
    done
    if [ "$campaign_status" -ne 0 ]; then
      campaign_verify=" verify=check check_exit=$([ "$campaign_status" -gt 128 ] && echo -1 || echo "$campaign_status")"
    fi
  fi
fi
printf 'v1 exit=%s signal=%s timedout=0 cancelled=0 wall_ms=%s cpu_ms=%s maxrss_kib=%s start_ms=%s pid=%s%s\n' \
  "$campaign_code" "$campaign_sig" $((campaign_end - campaign_start)) "${campaign_cpu:-0}" "$campaign_rss" \
  "$campaign_start" "$campaign_pid" "$campaign_verify" >"$campaign_result.tmp.$$" && mv -f -- "$campaign_result.tmp.$$" "$campaign_result"
if [ "$campaign_sig" -gt 0 ]; then campaign_code=$((128 + campaign_sig)); fi
if [ "$campaign_status" -ne 0 ]; then campaign_code=$campaign_status; fi
exit "$campaign_code"
0 v-0 1 '' v-0/1.out v-0/1.err v-0/1.result 1 CAMPAIGN_TASK_ID=v-0 3 out/map.fits 'out/it'\''s "odd" $(x).txt' 'out/**/*.{nc,h5}' 3 /bin/sh -c 'test -s out/map.fits' make map
1 v-1 1 '' v-1/1.out v-1/1.err v-1/1.result 1 CAMPAIGN_TASK_ID=v-1 0 3 python3 check.py --strict make map
2 v-2 1 '' v-2/1.out v-2/1.err v-2/1.result 1 CAMPAIGN_TASK_ID=v-2 0 0 make map
