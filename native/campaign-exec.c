/*
 * campaign-exec: runs one attempt of a task and records how it ended.
 *
 *   campaign-exec RESULT OUT ERR TIMEOUT_S GRACE_S [MEMORY_KIB] -- ARGV...
 *
 * The command runs in a process group of its own, with stdout and stderr appended to OUT
 * and ERR. When it ends, one line is written to RESULT (via a temporary file and rename, so a
 * reader never sees half a result): exit code or signal, whether it timed out, wall time,
 * CPU time and peak memory (wait4()'s, or the group's sampled total when larger). TIMEOUT_S > 0
 * sends TERM to the group after that many seconds, then KILL after GRACE_S more.
 * SIGTERM/SIGINT/SIGHUP to this process are forwarded the same way. The launcher outlives its
 * parent: a head that crashed finds the result when it comes back.
 *
 * MEMORY_KIB > 0 enforces the attempt's memory request: the resident memory of the group (the
 * sum over its processes, as Slurm's jobacct_gather/linux counts it) is sampled from /proc,
 * every 10 ms at first and then every 100 ms; when it exceeds the request by more than
 * MEMORY_TOLERANCE_PERCENT, the group is killed (KILL) and the result says `oom=1`. The
 * launcher is the group's subreaper, so processes whose parent ended are still found.
 *
 *   campaign-exec --serve
 *
 * starts launchers on request, so that the head (a large Node process, for which every
 * fork is expensive) only writes a request to a pipe. A request on stdin is a list of
 * NUL-terminated fields: id, cwd, the number of launcher arguments, the arguments, the number
 * of environment entries, the entries (KEY=VALUE). For each, the server forks, and the child
 * (in a session of its own) becomes the launcher; the server writes "S <id> <pid>" when it
 * started and "X <id> <wait status>" when it ended, one line each, on stdout. When stdin
 * closes (the head went away) the server exits and the launchers go on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pgid = 0;
static volatile sig_atomic_t timed_out = 0;
static volatile sig_atomic_t cancelled = 0;
static volatile sig_atomic_t escalate = 0;
static unsigned grace = 10;

/* How far over its memory request the group may go before it is killed: a margin for what
   RSS sampling counts twice (shared pages of a pipeline's processes). Documented in
   docs/planning.md. */
#define MEMORY_TOLERANCE_PERCENT 5

static void on_alarm(int sig) {
  (void)sig;
  if (child_pgid <= 0) return;
  if (!escalate) {
    escalate = 1;
    kill(-child_pgid, SIGTERM);
    alarm(grace > 0 ? grace : 1);
  } else {
    kill(-child_pgid, SIGKILL);
  }
}

static void on_term(int sig) {
  (void)sig;
  cancelled = 1;
  if (child_pgid <= 0) return;
  if (!escalate) {
    escalate = 1;
    kill(-child_pgid, SIGTERM);
    alarm(grace > 0 ? grace : 1);
  } else {
    kill(-child_pgid, SIGKILL);
  }
}

static long long now_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_log(const char *path) {
  return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

#include <poll.h>

static int launch(int argc, char **argv);

static int sigchld_pipe[2];

static void on_chld(int sig) {
  (void)sig;
  int saved = errno;
  if (write(sigchld_pipe[1], "c", 1) < 0) {
  }
  errno = saved;
}

struct running {
  pid_t pid;
  long id;
};

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Counts complete NUL-terminated fields in buf[0..len); returns the end offset of one
   complete request, or 0 when the request is not complete yet. */
static size_t request_end(const char *buf, size_t len) {
  size_t pos = 0;
  const char *field[3];
  for (int i = 0; i < 3; i++) {
    const char *z = memchr(buf + pos, 0, len - pos);
    if (!z) return 0;
    field[i] = buf + pos;
    pos = (size_t)(z - buf) + 1;
  }
  long nargs = strtol(field[2], NULL, 10);
  for (long i = 0; i < nargs; i++) {
    const char *z = memchr(buf + pos, 0, len - pos);
    if (!z) return 0;
    pos = (size_t)(z - buf) + 1;
  }
  const char *z = memchr(buf + pos, 0, len - pos);
  if (!z) return 0;
  long nenv = strtol(buf + pos, NULL, 10);
  pos = (size_t)(z - buf) + 1;
  for (long i = 0; i < nenv; i++) {
    z = memchr(buf + pos, 0, len - pos);
    if (!z) return 0;
    pos = (size_t)(z - buf) + 1;
  }
  return pos;
}

static pid_t start(char *req, long *id_out) {
  char *p = req;
  long id = strtol(p, NULL, 10);
  p += strlen(p) + 1;
  char *cwd = p;
  p += strlen(p) + 1;
  long nargs = strtol(p, NULL, 10);
  p += strlen(p) + 1;
  char **args = calloc((size_t)nargs + 2, sizeof(char *));
  if (!args) return -1;
  args[0] = (char *)"campaign-exec";
  for (long i = 0; i < nargs; i++) {
    args[i + 1] = p;
    p += strlen(p) + 1;
  }
  long nenv = strtol(p, NULL, 10);
  p += strlen(p) + 1;
  char *envp_start = p;
  *id_out = id;
  pid_t pid = fork();
  if (pid != 0) {
    free(args);
    return pid;
  }
  setsid();
  /* The launcher keeps none of the server's plumbing. */
  close(sigchld_pipe[0]);
  close(sigchld_pipe[1]);
  signal(SIGCHLD, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    if (devnull > 1) close(devnull);
  }
  for (long i = 0; i < nenv; i++) {
    putenv(envp_start);
    envp_start += strlen(envp_start) + 1;
  }
  if (chdir(cwd) != 0) {
    /* Record the failure as the launcher would, so the head learns why. */
    int e = errno;
    FILE *f = nargs > 3 ? fopen(args[3], "a") : NULL;
    if (f) {
      fprintf(f, "campaign: cannot enter %s: %s\n", cwd, strerror(e));
      fclose(f);
    }
    f = nargs > 1 ? fopen(args[1], "w") : NULL;
    if (f) {
      fprintf(f, "v1 exit=126 signal=0 timedout=0 cancelled=0 wall_ms=0 cpu_ms=0 maxrss_kib=-1 start_ms=0 pid=0\n");
      fclose(f);
    }
    _exit(126);
  }
  _exit(launch((int)nargs + 1, args));
}

static int serve(void) {
  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return 125;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t rcap = 64, rlen = 0;
  struct running *run = malloc(rcap * sizeof *run);
  if (!buf || !run) return 125;
  int open_in = 1;
  char line[64];
  while (open_in || rlen > 0) {
    struct pollfd fds[2] = {{sigchld_pipe[0], POLLIN, 0}, {open_in ? 0 : -1, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {
      }
    }
    /* Reap every launcher that ended. */
    for (;;) {
      int status;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      for (size_t i = 0; i < rlen; i++) {
        if (run[i].pid != pid) continue;
        int n = snprintf(line, sizeof line, "X %ld %d\n", run[i].id, status);
        if (write_all(1, line, (size_t)n) < 0) return 0;
        run[i] = run[--rlen];
        break;
      }
    }
    if (open_in && (fds[1].revents & (POLLIN | POLLHUP))) {
      if (len == cap) {
        cap *= 2;
        buf = realloc(buf, cap);
        if (!buf) return 125;
      }
      ssize_t n = read(0, buf + len, cap - len);
      if (n == 0) open_in = 0;
      if (n > 0) len += (size_t)n;
      size_t used = 0;
      for (;;) {
        size_t end = request_end(buf + used, len - used);
        if (end == 0) break;
        long id = 0;
        pid_t pid = start(buf + used, &id);
        used += end;
        if (pid < 0) {
          int m = snprintf(line, sizeof line, "F %ld\n", id);
          if (write_all(1, line, (size_t)m) < 0) return 0;
          continue;
        }
        if (rlen == rcap) {
          rcap *= 2;
          run = realloc(run, rcap * sizeof *run);
          if (!run) return 125;
        }
        run[rlen].pid = pid;
        run[rlen].id = id;
        rlen++;
        int m = snprintf(line, sizeof line, "S %ld %d\n", id, (int)pid);
        if (write_all(1, line, (size_t)m) < 0) return 0;
      }
      memmove(buf, buf + used, len - used);
      len -= used;
    }
    /* Without a head to report to, the launchers go on by themselves. */
    if (!open_in) break;
  }
  return 0;
}


/* ---- memory: the group's resident set, sampled from /proc ---- */

static long page_kib = 4;

/* pgrp, state and resident pages of pid, from /proc/PID/stat. */
static int proc_stat(pid_t pid, pid_t *pgrp, char *state, unsigned long long *rss) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  /* The command name may hold spaces and parentheses: fields are counted after the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p || p[1] != ' ') return -1;
  p += 2;
  /* Field 3 is the state, 5 the process group, 24 the resident set in pages. */
  int field = 3;
  char *save = NULL;
  for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
    if (field == 3) *state = tok[0];
    else if (field == 5) *pgrp = (pid_t)strtol(tok, NULL, 10);
    else if (field == 24) {
      *rss = strtoull(tok, NULL, 10);
      return 0;
    }
  }
  return -1;
}

struct pids {
  pid_t *v;
  size_t len, cap;
};

static int push(struct pids *s, pid_t pid) {
  if (s->len == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    pid_t *v = realloc(s->v, cap * sizeof *v);
    if (!v) return -1;
    s->v = v;
    s->cap = cap;
  }
  s->v[s->len++] = pid;
  return 0;
}

/* Pushes the children of every thread of pid (from /proc/PID/task/TID/children). Returns -1
   when the kernel has no such files. */
static int push_children(struct pids *s, pid_t pid) {
  char path[320];
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  if (!d) return 0;
  int found = 0, any = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    any = 1;
    snprintf(path, sizeof path, "/proc/%d/task/%s/children", (int)pid, e->d_name);
    FILE *f = fopen(path, "re");
    if (!f) continue;
    found = 1;
    long child;
    while (fscanf(f, "%ld", &child) == 1) push(s, (pid_t)child);
    fclose(f);
  }
  closedir(d);
  return any && !found ? -1 : 0;
}

/* The group's resident memory in KiB: the launcher's descendants that are in the group (by
   the children lists), or, on a kernel without them, every process of the group. */
static unsigned long long group_rss_kib(pid_t pgid) {
  static int no_children = 0;
  unsigned long long total = 0, rss = 0;
  pid_t pg = 0;
  char state = 0;
  if (!no_children) {
    struct pids todo = {0};
    if (push_children(&todo, getpid()) < 0) no_children = 1;
    for (size_t i = 0; i < todo.len && !no_children; i++) {
      pid_t p = todo.v[i];
      if (proc_stat(p, &pg, &state, &rss) == 0 && pg == pgid && state != 'Z') total += rss;
      if (push_children(&todo, p) < 0) no_children = 1;
    }
    free(todo.v);
    if (!no_children) return total * (unsigned long long)page_kib;
    total = 0;
  }
  DIR *d = opendir("/proc");
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    if (proc_stat((pid_t)strtol(e->d_name, NULL, 10), &pg, &state, &rss) == 0 && pg == pgid && state != 'Z')
      total += rss;
  }
  closedir(d);
  return total * (unsigned long long)page_kib;
}

static void on_chld_wake(int sig) { (void)sig; }

/*
 * Waits for the child while sampling its group's memory; kills the group once it is over
 * `kill_kib`. SIGCHLD is blocked on entry (since before the fork), so an exit is never missed
 * between a sample and the wait that follows it. Returns whether the group was killed.
 */
static int wait_sampling(pid_t pid, unsigned long long kill_kib, int *status, struct rusage *ru,
                         unsigned long long *peak_kib) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  long interval_ms = 10;
  int killed = 0;
  for (;;) {
    struct rusage r;
    int st;
    pid_t got = wait4(-1, &st, WNOHANG, &r);
    if (got == pid) {
      *status = st;
      *ru = r;
      return killed;
    }
    if (got > 0) continue; /* an orphan of the group, reparented to us: reaped */
    if (got < 0 && errno == ECHILD) return killed;
    if (!killed) {
      unsigned long long now = group_rss_kib(pid);
      if (now > *peak_kib) *peak_kib = now;
      if (now > kill_kib) {
        killed = 1;
        kill(-pid, SIGKILL);
      }
    }
    struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
    /* Returns at once on SIGCHLD; SIGALRM and SIGTERM run their handlers and end it too. */
    sigtimedwait(&chld, NULL, &ts);
    if (interval_ms < 100) interval_ms = interval_ms * 2 > 100 ? 100 : interval_ms * 2;
  }
}

/* Records who runs the attempt: "<pid> <start time in clock ticks since boot>", in
   RESULT.pid, so that a new head can tell this launcher from a process that reused its pid. */
static void write_pidfile(const char *result) {
  char stat[1024];
  unsigned long long start = 0;
  FILE *f = fopen("/proc/self/stat", "r");
  if (f) {
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    stat[n] = 0;
    fclose(f);
    char *p = strrchr(stat, ')');
    /* Field 22 is the start time; fields after the ')' start at field 3. */
    for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
    if (p) start = strtoull(p + 1, NULL, 10);
  }
  size_t len = strlen(result) + 16;
  char *path = malloc(len);
  if (!path) return;
  snprintf(path, len, "%s.pid", result);
  f = fopen(path, "w");
  if (f) {
    fprintf(f, "%d %llu\n", (int)getpid(), start);
    fclose(f);
  }
  free(path);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--serve") == 0) return serve();
  return launch(argc, argv);
}

static int launch(int argc, char **argv) {
  /* MEMORY_KIB is optional: `--` is argv[6] without it, argv[7] with it. */
  int dashes = argc >= 8 && strcmp(argv[6], "--") == 0 ? 6 : argc >= 9 && strcmp(argv[7], "--") == 0 ? 7 : 0;
  if (dashes == 0) {
    fprintf(stderr, "usage: campaign-exec RESULT OUT ERR TIMEOUT_S GRACE_S [MEMORY_KIB] -- ARGV...\n");
    return 2;
  }
  const char *result = argv[1];
  write_pidfile(result);
  unsigned timeout = (unsigned)strtoul(argv[4], NULL, 10);
  grace = (unsigned)strtoul(argv[5], NULL, 10);
  unsigned long long mem_kib = dashes == 7 ? strtoull(argv[6], NULL, 10) : 0;
  char **cmd = &argv[dashes + 1];
  long pagesize = sysconf(_SC_PAGESIZE);
  if (pagesize > 0) page_kib = pagesize / 1024;

  int out = open_log(argv[2]);
  int err = open_log(argv[3]);
  if (out < 0 || err < 0) {
    fprintf(stderr, "campaign-exec: cannot open logs: %s\n", strerror(errno));
    return 125;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  long long start_wall = now_ms(CLOCK_REALTIME);
  long long start = now_ms(CLOCK_MONOTONIC);
  int exec_errno = 0;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return 125;

  sigset_t chld, before;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (mem_kib > 0) {
    /* Orphans of the group come to us, so that sampling still finds them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sa.sa_handler = on_chld_wake;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_BLOCK, &chld, &before);
  }

  pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    setpgid(0, 0);
    if (mem_kib > 0) {
      signal(SIGCHLD, SIG_DFL);
      sigprocmask(SIG_SETMASK, &before, NULL);
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
    dup2(out, 1);
    dup2(err, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execvp(cmd[0], cmd);
    int e = errno;
    if (write(pipefd[1], &e, sizeof e) < 0) _exit(127);
    _exit(127);
  }
  setpgid(pid, pid);
  child_pgid = pid;
  close(pipefd[1]);
  if (read(pipefd[0], &exec_errno, sizeof exec_errno) != sizeof exec_errno) exec_errno = 0;
  close(pipefd[0]);
  if (timeout > 0) alarm(timeout);

  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  unsigned long long peak_kib = 0;
  int oom = 0;
  if (mem_kib > 0) {
    oom = wait_sampling(pid, mem_kib + mem_kib * MEMORY_TOLERANCE_PERCENT / 100, &status, &ru, &peak_kib);
  } else {
    while (wait4(pid, &status, 0, &ru) < 0) {
      if (errno != EINTR) break;
    }
  }
  if (escalate && !cancelled) timed_out = 1;
  // Reap anything left in the group so that nothing outlives the attempt.
  if (escalate || oom) kill(-pid, SIGKILL);
  long long wall = now_ms(CLOCK_MONOTONIC) - start;
  long long cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;

  int code = -1, sig = 0;
  if (WIFEXITED(status)) code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) sig = WTERMSIG(status);
  if (exec_errno != 0) {
    dprintf(err, "campaign: cannot run %s: %s\n", cmd[0], strerror(exec_errno));
    code = exec_errno == ENOENT ? 127 : 126;
  }

  size_t n = strlen(result);
  char *tmp = malloc(n + 8);
  if (!tmp) return 125;
  snprintf(tmp, n + 8, "%s.tmp", result);
  FILE *f = fopen(tmp, "w");
  if (!f) return 125;
  unsigned long long maxrss = ru.ru_maxrss > 0 ? (unsigned long long)ru.ru_maxrss : 0;
  if (peak_kib > maxrss) maxrss = peak_kib;
  fprintf(f, "v1 exit=%d signal=%d timedout=%d cancelled=%d wall_ms=%lld cpu_ms=%lld maxrss_kib=%llu start_ms=%lld pid=%d",
          code, sig, (int)timed_out, (int)cancelled, wall, cpu, maxrss, start_wall, (int)pid);
  if (mem_kib > 0) fprintf(f, " memlimit_kib=%llu%s", mem_kib, oom ? " oom=1" : "");
  fputc('\n', f);
  fclose(f);
  rename(tmp, result);
  if (sig) return 128 + sig;
  return code < 0 ? 125 : code;
}
