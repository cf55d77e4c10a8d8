#!/bin/sh
# campaign-exec, portable fallback: same arguments and result line as the C launcher, for
# machines without a C compiler. It measures CPU time with `times`; peak memory is unknown.
#   campaign-exec.sh RESULT OUT ERR TIMEOUT_S GRACE_S -- ARGV...
result=$1 out=$2 err=$3 timeout=$4 grace=$5
shift 6
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
while :; do
  wait "$child"; code=$?
  kill -0 "$child" 2>/dev/null || break
done
[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
end_ms=$(date +%s%3N)
sig=0
if [ "$code" -gt 128 ] && [ "$cancelled" -eq 0 ]; then sig=$((code - 128)); code=-1; fi
if [ "$sig" -eq 15 ] || [ "$sig" -eq 9 ]; then [ "$cancelled" -eq 0 ] && [ "$timeout" -gt 0 ] && [ $((end_ms - start_ms)) -ge $((timeout * 1000)) ] && timedout=1; fi
cpu=$(times | sed -n 2p | awk '{ split($1,u,"m"); split($2,s,"m"); printf "%d", (u[1]*60+u[2]+s[1]*60+s[2])*1000 }')
printf 'v1 exit=%s signal=%s timedout=%s cancelled=%s wall_ms=%s cpu_ms=%s maxrss_kib=-1 start_ms=%s pid=%s\n' \
  "$code" "$sig" "$timedout" "$cancelled" $((end_ms - start_ms)) "${cpu:-0}" "$start_ms" "$child" >"$result.tmp"
mv "$result.tmp" "$result"
[ "$sig" -gt 0 ] && exit $((128 + sig))
exit "$code"
