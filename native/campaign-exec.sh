#!/bin/sh
# campaign-exec, portable fallback: same arguments and result line as the C launcher, for
# machines without a C compiler. It measures CPU time with `times`; peak memory only where it
# enforces a memory request (sampled from /proc, as the C launcher does), else it is unknown.
#   campaign-exec.sh RESULT OUT ERR TIMEOUT_S GRACE_S [MEMORY_KIB] -- ARGV...
result=$1 out=$2 err=$3 timeout=$4 grace=$5
if [ "$6" = -- ]; then mem=0; shift 6; else mem=$6; shift 7; fi
start_ms=$(date +%s%3N)
timedout=0 cancelled=0
# setsid gives the command a process group of its own, so the whole group can be signalled.
setsid "$@" </dev/null >>"$out" 2>>"$err" &
child=$!
on_term() { cancelled=1; kill -TERM -"$child" 2>/dev/null; (sleep "$grace"; kill -KILL -"$child" 2>/dev/null) & }
trap on_term TERM INT HUP
if [ "$timeout" -gt 0 ]; then
  ( sleep "$timeout"; kill -TERM -"$child" 2>/dev/null && { sleep "$grace"; kill -KILL -"$child" 2>/dev/null; } ) &
  watchdog=$!
fi
# The memory request: the group's resident memory (the sum over its processes, from
# /proc/PID/stat) is sampled every 0.25 s; over the request by more than 5%, the group is
# killed and the result says oom=1. The peak goes to RESULT.peak as it grows.
if [ "$mem" -gt 0 ] && [ -r /proc/self/stat ]; then
  rm -f -- "$result.oom" "$result.peak"
  page=$(getconf PAGESIZE 2>/dev/null || echo 4096)
  (
    trap - TERM INT HUP
    over=$((mem + mem * 5 / 100)) peak=0
    while kill -0 "$child" 2>/dev/null; do
      # Fields after the command name (which may hold spaces): 1 state, 3 group, 22 pages.
      rss=$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$child" -v p="$page" \
        '{ sub(/^.*\) /, ""); if ($3 == g && $1 != "Z") s += $22 } END { printf "%d", s * p / 1024 }')
      if [ "${rss:-0}" -gt "$peak" ]; then peak=$rss; echo "$peak" >"$result.peak"; fi
      if [ "$peak" -gt "$over" ]; then echo 1 >"$result.oom"; kill -KILL -"$child" 2>/dev/null; break; fi
      sleep 0.25 2>/dev/null || sleep 1
    done
  ) &
  sampler=$!
fi
while :; do
  wait "$child"; code=$?
  kill -0 "$child" 2>/dev/null || break
done
[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
[ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null
end_ms=$(date +%s%3N)
sig=0 oom=0 peak=-1 memfields=
if [ "$mem" -gt 0 ]; then
  [ -f "$result.oom" ] && oom=1
  [ -s "$result.peak" ] && peak=$(cat "$result.peak")
  rm -f -- "$result.oom" "$result.peak"
  memfields=" memlimit_kib=$mem"
  [ "$oom" -eq 1 ] && memfields="$memfields oom=1" && kill -KILL -"$child" 2>/dev/null
fi
if [ "$code" -gt 128 ] && [ "$cancelled" -eq 0 ]; then sig=$((code - 128)); code=-1; fi
if [ "$sig" -eq 15 ] || [ "$sig" -eq 9 ]; then [ "$cancelled" -eq 0 ] && [ "$oom" -eq 0 ] && [ "$timeout" -gt 0 ] && [ $((end_ms - start_ms)) -ge $((timeout * 1000)) ] && timedout=1; fi
cpu=$(times | sed -n 2p | awk '{ split($1,u,"m"); split($2,s,"m"); printf "%d", (u[1]*60+u[2]+s[1]*60+s[2])*1000 }')
printf 'v1 exit=%s signal=%s timedout=%s cancelled=%s wall_ms=%s cpu_ms=%s maxrss_kib=%s start_ms=%s pid=%s%s\n' \
  "$code" "$sig" "$timedout" "$cancelled" $((end_ms - start_ms)) "${cpu:-0}" "$peak" "$start_ms" "$child" "$memfields" >"$result.tmp"
mv "$result.tmp" "$result"
[ "$sig" -gt 0 ] && exit $((128 + sig))
exit "$code"
