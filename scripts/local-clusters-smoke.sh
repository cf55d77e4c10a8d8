#!/usr/bin/env bash
# Smoke test of the local clusters started by scripts/local-slurm.sh and
# scripts/local-sge.sh: submits real jobs and prints timings.
#
#   scripts/local-clusters-smoke.sh [slurm|sge|all] [--slow]
#
# --slow also checks that a Slurm job with --time=1 ends in TIMEOUT and an SGE
# job with h_rt=10 is killed (adds ~1.5 min).
set -euo pipefail

what="${1:-all}"
slow=0
for a in "$@"; do [[ "$a" == --slow ]] && slow=1; done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d /tmp/campaign-smoke.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# wait_gone SECS CMD...: poll CMD (0.2 s) until it fails; fail after SECS.
wait_gone() {
  local limit=$1 t0=$SECONDS
  shift
  while "$@" >/dev/null 2>&1; do
    ((SECONDS - t0 < limit)) || fail "timed out after ${limit}s waiting for: $*"
    sleep 0.2
  done
}

# (no 'cmd | grep -q' / '| head': with pipefail an early reader exit fails the pipe)
slurm_show() { scontrol show job "$1" 2>/dev/null || true; }
slurm_state() { slurm_show "$1" | awk -F'[= ]+' '/JobState=/ { for (i = 1; i < NF; i++) if ($i == "JobState") { print $(i + 1); exit } }'; }
slurm_active() { [[ -n "$(squeue -h -j "$1" 2>/dev/null || true)" ]]; }

smoke_slurm() {
  "$here/local-slurm.sh" status >/dev/null || fail "slurm is not up (run scripts/local-slurm.sh up)"
  local t0 j a d f n st
  # Slurm writes slurm-<id>.out into the working directory: keep them out of the checkout.
  cd "$(mktemp -d)"
  t0=$(now)
  j=$(sbatch --parsable --wrap 'echo hi')
  wait_gone 60 slurm_active "$j"
  [[ "$(slurm_state "$j")" == COMPLETED ]] || fail "slurm job $j: $(slurm_state "$j")"
  [[ "$(cat "slurm-$j.out")" == hi ]] || fail "slurm job $j output"
  echo "slurm: single job COMPLETED in $(since "$t0") s"

  t0=$(now)
  # shellcheck disable=SC2016 # expanded by the job's shell
  a=$(sbatch --parsable --array=0-3%2 --wrap 'echo task $SLURM_ARRAY_TASK_ID')
  d=$(sbatch --parsable --dependency="afterok:$a" --wrap 'echo dep')
  wait_gone 120 slurm_active "$a,$d"
  n=$(slurm_show "$a" | grep -c 'JobState=COMPLETED' || true)
  [[ "$n" == 4 ]] || fail "slurm array $a: $n/4 tasks COMPLETED"
  [[ "$(slurm_state "$d")" == COMPLETED ]] || fail "slurm dependent job $d: $(slurm_state "$d")"
  echo "slurm: array 0-3%2 + afterok dependency COMPLETED in $(since "$t0") s"

  t0=$(now)
  a=$(sbatch --parsable --array=1-4 --wrap true)
  wait_gone 60 slurm_active "$a"
  echo "slurm: array of 4 x true done in $(since "$t0") s"

  f=$(sbatch --parsable --wrap 'exit 3')
  wait_gone 60 slurm_active "$f"
  [[ "$(slurm_show "$f")" == *"ExitCode=3:0"* ]] || fail "slurm job $f: ExitCode is not 3:0"
  echo "slurm: failing job FAILED with ExitCode=3:0"

  if ((slow)); then
    t0=$(now)
    j=$(sbatch --parsable --time=1 --wrap 'sleep 300')
    wait_gone 180 slurm_active "$j"
    st=$(slurm_state "$j")
    [[ "$st" == TIMEOUT ]] || fail "slurm job $j with --time=1 ended $st"
    echo "slurm: --time=1 job TIMEOUT after $(since "$t0") s ($(slurm_show "$j" | grep -o 'ExitCode=[0-9:]*' || true))"
  fi
}

sge_active() { qstat -j "$1" >/dev/null 2>&1; }
sge_exit() { qacct -j "$1" 2>/dev/null | awk '$1 == "exit_status" { print $2 }'; }

smoke_sge() {
  "$here/local-sge.sh" status >/dev/null || fail "sge is not up (run scripts/local-sge.sh up)"
  eval "$("$here/local-sge.sh" env)"
  local t0 id jid h codes
  t0=$(now)
  id=$(qsub -terse -cwd -t 1-4 -q all.q -b y true)
  jid=${id%%.*}
  wait_gone 60 sge_active "$jid"
  wait_gone 30 bash -c "[[ \$(qacct -j $jid 2>/dev/null | grep -c '^exit_status') != 4 ]]"
  codes=$(sge_exit "$jid" | tr '\n' ' ')
  [[ "$codes" == "0 0 0 0 " ]] || fail "sge array $id exit codes: $codes"
  echo "sge: array of 4 x true ($id) done and in qacct in $(since "$t0") s"

  t0=$(now)
  printf '#!/bin/bash\nexit 3\n' >fail.sh
  jid=$(qsub -terse -cwd -q all.q fail.sh)
  h=$(qsub -terse -cwd -q all.q -hold_jid "$jid" -b y echo held)
  wait_gone 60 sge_active "$h"
  wait_gone 30 bash -c "! qacct -j $h >/dev/null 2>&1"
  [[ "$(sge_exit "$jid")" == 3 ]] || fail "sge job $jid exit_status $(sge_exit "$jid")"
  [[ "$(sge_exit "$h")" == 0 ]] || fail "sge held job $h exit_status $(sge_exit "$h")"
  echo "sge: exit 3 job + -hold_jid job done in $(since "$t0") s"

  if ((slow)); then
    t0=$(now)
    jid=$(qsub -terse -cwd -q all.q -l h_rt=10 -b y sleep 300)
    wait_gone 120 sge_active "$jid"
    wait_gone 30 bash -c "! qacct -j $jid >/dev/null 2>&1"
    echo "sge: h_rt=10 job killed after $(since "$t0") s (qacct: $(qacct -j "$jid" | awk '$1 == "failed" { $1 = ""; print }' | xargs))"
  fi
}

case "$what" in
slurm) smoke_slurm ;;
sge) smoke_sge ;;
all | --slow)
  smoke_slurm
  smoke_sge
  ;;
*)
  echo "usage: $0 [slurm|sge|all] [--slow]" >&2
  exit 2
  ;;
esac
echo "smoke: ok"
