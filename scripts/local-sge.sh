#!/usr/bin/env bash
# Install (from Debian packages) and run a real one-node Grid Engine 8.1.9
# cluster on this machine, for tests and CI.  Idempotent; see docs/local-clusters.md.
#
#   scripts/local-sge.sh up       install if needed, configure, start, wait until jobs are accepted
#   scripts/local-sge.sh down     stop sge_execd and sge_qmaster
#   scripts/local-sge.sh status   exit 0 iff qmaster answers and all.q@<host> is usable; prints the state
#   scripts/local-sge.sh env      print 'export SGE_ROOT=... SGE_CELL=...' for eval "$(...)"
#
# Environment knobs:
#   CAMPAIGN_SGE_WAIT   seconds to wait for qmaster / the queue instance (default 60)
set -euo pipefail

export SGE_ROOT=/var/lib/gridengine
export SGE_CELL=default
WAIT_SECS="${CAMPAIGN_SGE_WAIT:-60}"
NODE="$(hostname -s 2>/dev/null || hostname)"
COMMON="$SGE_ROOT/$SGE_CELL/common"
QMASTER_SPOOL=/var/spool/gridengine/qmaster
EXECD_SPOOL=/var/spool/gridengine/execd
WORK_DIR=/var/lib/campaign-sge
# stdout/stderr of daemon start-up (errors before they open their own logs)
START_LOG="$WORK_DIR/startup.log"
export DEBIAN_FRONTEND=noninteractive

log() { echo "local-sge: $*" >&2; }
die() {
  echo "local-sge: ERROR: $*" >&2
  show_logs
  exit 1
}
show_logs() {
  local f
  # execd spools under the name it resolves for itself (here "localhost").
  for f in "$START_LOG" "$QMASTER_SPOOL/messages" "$EXECD_SPOOL"/*/messages /tmp/qmaster_messages /tmp/execd_messages; do
    if [[ -f "$f" ]]; then
      echo "----- last lines of $f -----" >&2
      tail -n 25 "$f" >&2 || true
    fi
  done
}

need_root() {
  [[ "$(id -u)" -eq 0 ]] || { echo "local-sge: ERROR: must run as root" >&2; exit 1; }
}

# apt-get install, running 'apt-get update' only when the package lists are
# missing/stale (install fails or no candidate is known).
apt_install() {
  local have_lists=1 p pol
  for p in "$@"; do
    # (no 'cmd | grep -q' here: with pipefail, grep's early exit fails the pipe)
    pol=$(apt-cache policy "$p" 2>/dev/null || true)
    [[ "$pol" == *"Candidate: "[0-9]* ]] || have_lists=0
  done
  if [[ $have_lists -eq 1 ]] && apt-get install -y -q -o DPkg::Lock::Timeout=300 "$@" </dev/null; then
    return 0
  fi
  log "running apt-get update"
  apt-get update -q -o DPkg::Lock::Timeout=300 </dev/null || die "apt-get update failed"
  apt-get install -y -q -o DPkg::Lock::Timeout=300 "$@" </dev/null || die "apt-get install $* failed"
}

installed() {
  command -v qsub >/dev/null && command -v qconf >/dev/null \
    && [[ -x /usr/sbin/sge_qmaster && -x /usr/sbin/sge_execd ]] \
    && [[ -f "$COMMON/act_qmaster" ]]
}

ensure_installed() {
  installed && return 0
  log "installing gridengine-master gridengine-exec gridengine-client from Debian packages"
  local t0=$SECONDS p
  # Answer the packages' debconf questions up front so the install is
  # non-interactive and the master configures the 'default' cell itself.
  for p in gridengine-common gridengine-client gridengine-master; do
    debconf-set-selections <<EOF
$p shared/gridenginemaster string $NODE
$p shared/gridenginecell string $SGE_CELL
$p shared/gridengineconfig boolean true
EOF
  done
  apt_install gridengine-master gridengine-exec gridengine-client
  [[ -f "$COMMON/act_qmaster" ]] || die "package install did not create $COMMON/act_qmaster (cell not configured)"
  log "installed in $((SECONDS - t0)) s"
}

# Live (non-zombie) processes whose command name is exactly $1.
find_daemon_pids() {
  ps -eo pid=,stat=,comm= 2>/dev/null | awk -v n="$1" '$3 == n && $2 !~ /^Z/ {print $1}' || true
}
daemon_running() { [[ -n "$(find_daemon_pids "$1")" ]]; }

stop_daemon() {
  local name=$1 pids i p
  pids=$(find_daemon_pids "$name" | tr '\n' ' ')
  pids=${pids% }
  [[ -n "$pids" ]] || return 0
  log "stopping $name (pid $pids)"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    daemon_running "$name" || return 0
    sleep 0.25
  done
  for p in $(find_daemon_pids "$name"); do
    log "$name (pid $p) did not exit on SIGTERM; sending SIGKILL"
    kill -KILL "$p" 2>/dev/null || true
  done
}

qmaster_ok() { timeout 10 qconf -sh >/dev/null 2>&1; }

write_host_aliases() {
  # Under some sandboxes the host name resolves to 127.0.0.1 whose reverse
  # lookup is "localhost": tell SGE both names are the same host.
  local want="$NODE localhost"
  if [[ "$(cat "$COMMON/host_aliases" 2>/dev/null)" != "$want" ]]; then
    echo "$want" >"$COMMON/host_aliases"
    log "wrote $COMMON/host_aliases"
  fi
  # The cell was configured for this host name at install time; if the
  # machine was renamed since, point it at the current name.
  if [[ "$(cat "$COMMON/act_qmaster")" != "$NODE" ]]; then
    echo "$NODE" >"$COMMON/act_qmaster"
    log "wrote $COMMON/act_qmaster"
  fi
}

start_qmaster() {
  if daemon_running sge_qmaster && qmaster_ok; then return 0; fi
  if ! daemon_running sge_qmaster; then
    # A qmaster that was killed leaves its lock/pid behind; they are safe to
    # remove since no qmaster process exists.
    rm -f "$QMASTER_SPOOL/lock" "$QMASTER_SPOOL/qmaster.pid"
    log "starting sge_qmaster"
    /usr/sbin/sge_qmaster </dev/null >>"$START_LOG" 2>&1 || die "sge_qmaster failed to start"
  fi
  local deadline=$((SECONDS + WAIT_SECS))
  until qmaster_ok; do
    ((SECONDS < deadline)) || die "sge_qmaster does not answer 'qconf -sh' after ${WAIT_SECS}s"
    daemon_running sge_qmaster || die "sge_qmaster exited"
    sleep 0.5
  done
}

start_execd() {
  daemon_running sge_execd && return 0
  rm -f "$EXECD_SPOOL"/*/execd.pid
  log "starting sge_execd"
  /usr/sbin/sge_execd </dev/null >>"$START_LOG" 2>&1 || die "sge_execd failed to start"
}

# set_attr FILE KEY VALUE: replace 'KEY  old' by 'KEY  VALUE' in a qconf dump.
set_attr() {
  local f=$1 k=$2 v=$3
  if grep -q "^${k}[[:space:]]" "$f"; then
    sed -i "s|^${k}[[:space:]].*|$k $v|" "$f"  # values here never contain '|'
  else
    echo "$k $v" >>"$f"
  fi
}
# qconf dumps wrap long values with a trailing backslash: join them, squeeze
# blanks, and drop junk lines whose "key" contains '=' (never a valid key).
normalize_dump() {
  awk '{ if (sub(/\\$/, "")) { buf = buf $0; next } print buf $0; buf = "" }' "$1" \
    | awk 'NF && $1 !~ /=/ { $1 = $1; print }' >"$1.norm"
  mv "$1.norm" "$1"
}
# in_list WORD CMD...: CMD's output has a line equal to WORD.
in_list() {
  local w=$1 out
  shift
  out=$("$@" 2>/dev/null || true)
  grep -qx -- "$w" <<<"$out"
}
get_attr() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }

configure_global() {
  # Global cluster configuration: allow root (uid/gid 0) to submit, report
  # load/finish quickly, write accounting records immediately.
  local d="$WORK_DIR/conf" changed=0
  mkdir -p "$d"
  qconf -sconf global >"$d/global" || die "qconf -sconf global failed"
  normalize_dump "$d/global"
  cp "$d/global" "$d/global.orig"
  set_attr "$d/global" min_uid 0
  set_attr "$d/global" min_gid 0
  set_attr "$d/global" load_report_time 00:00:05
  set_attr "$d/global" max_unheard 00:01:00
  set_attr "$d/global" reporting_params "accounting=true reporting=false flush_time=00:00:01 joblog=false sharelog=00:00:00 accounting_flush_time=00:00:00"
  # Allow array jobs as large as the Slurm cluster's (MaxArraySize=100001).
  set_attr "$d/global" max_aj_tasks 100001
  cmp -s "$d/global" "$d/global.orig" || changed=1
  if ((changed)); then
    # qconf -Mconf takes the configuration name from the file name: it must be 'global'.
    (cd "$d" && qconf -Mconf global >/dev/null) || die "qconf -Mconf global failed"
    log "updated global configuration"
  fi
}

configure_scheduler() {
  local d="$WORK_DIR/conf"
  qconf -ssconf >"$d/sched" || die "qconf -ssconf failed"
  normalize_dump "$d/sched"
  cp "$d/sched" "$d/sched.orig"
  # Run a scheduling pass every second, and right after submits/finishes.
  set_attr "$d/sched" schedule_interval 0:0:1
  set_attr "$d/sched" flush_submit_sec 1
  set_attr "$d/sched" flush_finish_sec 1
  # Do not count just-started jobs as extra load (it would hold back the
  # next tasks of an array until the load decays).
  set_attr "$d/sched" job_load_adjustments NONE
  set_attr "$d/sched" load_adjustment_decay_time 0:0:0
  if ! cmp -s "$d/sched" "$d/sched.orig"; then
    qconf -Msconf "$d/sched" >/dev/null || die "qconf -Msconf failed"
    log "updated scheduler configuration"
  fi
}

configure_hosts_and_queue() {
  local d="$WORK_DIR/conf" slots
  slots=$(nproc)
  in_list "$NODE" qconf -sh || qconf -ah "$NODE" >/dev/null || die "qconf -ah $NODE failed"
  in_list "$NODE" qconf -ss || qconf -as "$NODE" >/dev/null || die "qconf -as $NODE failed"
  if ! in_list "$NODE" qconf -sel; then
    cat >"$d/exechost" <<EOF
hostname              $NODE
load_scaling          NONE
complex_values        NONE
user_lists            NONE
xuser_lists           NONE
projects              NONE
xprojects             NONE
usage_scaling         NONE
report_variables      NONE
EOF
    qconf -Ae "$d/exechost" >/dev/null || die "qconf -Ae (add exec host $NODE) failed"
    log "added execution host $NODE"
  fi
  cat >"$d/all.q" <<EOF
qname                 all.q
hostlist              $NODE
seq_no                0
load_thresholds       NONE
suspend_thresholds    NONE
nsuspend              1
suspend_interval      00:05:00
priority              0
min_cpu_interval      00:05:00
processors            UNDEFINED
qtype                 BATCH INTERACTIVE
ckpt_list             NONE
pe_list               make
rerun                 FALSE
slots                 $slots
tmpdir                /tmp
shell                 /bin/bash
prolog                NONE
epilog                NONE
shell_start_mode      posix_compliant
starter_method        NONE
suspend_method        NONE
resume_method         NONE
terminate_method      NONE
notify                00:00:60
owner_list            NONE
user_lists            NONE
xuser_lists           NONE
subordinate_list      NONE
complex_values        NONE
projects              NONE
xprojects             NONE
calendar              NONE
initial_state         default
s_rt                  INFINITY
h_rt                  INFINITY
s_cpu                 INFINITY
h_cpu                 INFINITY
s_fsize               INFINITY
h_fsize               INFINITY
s_data                INFINITY
h_data                INFINITY
s_stack               INFINITY
h_stack               INFINITY
s_core                INFINITY
h_core                INFINITY
s_rss                 INFINITY
h_rss                 INFINITY
s_vmem                INFINITY
h_vmem                INFINITY
EOF
  if ! in_list make qconf -spl; then
    sed -i 's/^pe_list .*/pe_list               NONE/' "$d/all.q"
  fi
  if ! in_list all.q qconf -sql; then
    qconf -Aq "$d/all.q" >/dev/null || die "qconf -Aq all.q failed"
    log "created queue all.q (slots=$slots)"
  else
    local cur_host cur_slots
    qconf -sq all.q >"$d/all.q.cur"
    cur_host=$(get_attr "$d/all.q.cur" hostlist)
    cur_slots=$(get_attr "$d/all.q.cur" slots)
    if [[ "$cur_host" != "$NODE" || "$cur_slots" != "$slots" \
      || "$(get_attr "$d/all.q.cur" shell)" != /bin/bash \
      || "$(get_attr "$d/all.q.cur" load_thresholds)" != NONE ]]; then
      qconf -Mq "$d/all.q" >/dev/null || die "qconf -Mq all.q failed"
      log "updated queue all.q (slots=$slots)"
    fi
  fi
}

# The project the seed systems submit under (-P proj_rapidresponse): Grid Engine
# rejects a job that names a project it does not know.
configure_projects() {
  local d="$WORK_DIR/conf" p
  for p in proj_rapidresponse; do
    in_list "$p" qconf -sprjl && continue
    printf 'name    %s\noticket 0\nfshare  0\nacl     NONE\nxacl    NONE\n' "$p" >"$d/project.$p"
    qconf -Aprj "$d/project.$p" >/dev/null || die "qconf -Aprj $p failed"
    log "created project $p"
  done
}

# State letters of all.q@NODE from 'qstat -f' ("" when healthy, e.g. "au"
# while execd has not reported yet, "E" for error, "d" disabled).
queue_state() {
  local out
  out=$(timeout 10 qstat -f -q "all.q@$NODE" 2>/dev/null || true)
  awk -v q="all.q@$NODE" '$1 == q && !seen { print ($6 == "" ? "ok" : $6); seen = 1 }' <<<"$out"
}

wait_queue() {
  local deadline=$((SECONDS + WAIT_SECS)) st=""
  while ((SECONDS < deadline)); do
    st=$(queue_state)
    case "$st" in
    ok) return 0 ;;
    *E* | *d*)
      log "queue instance all.q@$NODE state '$st'; clearing/enabling it"
      qmod -c "all.q@$NODE" >/dev/null 2>&1 || true
      qmod -e "all.q@$NODE" >/dev/null 2>&1 || true
      ;;
    esac
    daemon_running sge_execd || die "sge_execd exited"
    sleep 1
  done
  die "queue instance all.q@$NODE not usable after ${WAIT_SECS}s (state '${st:-missing}')"
}

cmd_status() {
  local d st
  for d in sge_qmaster sge_execd; do
    if ! daemon_running "$d"; then
      echo "sge: not running ($d is not running)"
      return 1
    fi
  done
  if ! qmaster_ok; then
    echo "sge: not running (qmaster does not answer)"
    return 1
  fi
  st=$(queue_state)
  echo "sge: all.q@$NODE state=${st:-missing}"
  [[ "$st" == ok ]]
}

cmd_up() {
  need_root
  local t0=$SECONDS
  ensure_installed
  mkdir -p "$WORK_DIR/conf"
  write_host_aliases
  local was_up=0
  if daemon_running sge_qmaster && daemon_running sge_execd && qmaster_ok \
    && [[ "$(queue_state)" == ok ]]; then
    was_up=1
  fi
  start_qmaster
  configure_global
  configure_scheduler
  configure_hosts_and_queue
  configure_projects
  start_execd
  wait_queue
  if ((was_up)); then
    echo "local-sge: ok (already running) all.q@$NODE"
    return 0
  fi
  echo "local-sge: ok all.q@$NODE slots=$(nproc) SGE_ROOT=$SGE_ROOT SGE_CELL=$SGE_CELL (up took $((SECONDS - t0)) s)"
}

cmd_down() {
  need_root
  stop_daemon sge_execd
  stop_daemon sge_qmaster
  echo "local-sge: down"
}

cmd_env() {
  echo "export SGE_ROOT=$SGE_ROOT"
  echo "export SGE_CELL=$SGE_CELL"
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
env) cmd_env ;;
logs) show_logs 2>&1 ;;
*)
  echo "usage: $0 up|down|status|env" >&2
  exit 2
  ;;
esac
