/*
 * campaign-exec: runs one attempt of a task and records how it ended.
 *
 *   campaign-exec RESULT OUT ERR TIMEOUT_S GRACE_S -- ARGV...
 *
 * The command runs in a process group of its own, with stdout and stderr appended to OUT
 * and ERR. When it ends, one line is written to RESULT (via a temporary file and rename, so a
 * reader never sees half a result): exit code or signal, whether it timed out, wall time,
 * CPU time and peak memory from wait4(). TIMEOUT_S > 0 sends TERM to the group after that
 * many seconds, then KILL after GRACE_S more. SIGTERM/SIGINT/SIGHUP to this process are
 * forwarded the same way. The launcher outlives its parent: a head that crashed finds the
 * result when it comes back.
 */
#define _GNU_SOURCE
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pgid = 0;
static volatile sig_atomic_t timed_out = 0;
static volatile sig_atomic_t cancelled = 0;
static volatile sig_atomic_t escalate = 0;
static unsigned grace = 10;

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

int main(int argc, char **argv) {
  if (argc < 8 || strcmp(argv[6], "--") != 0) {
    fprintf(stderr, "usage: campaign-exec RESULT OUT ERR TIMEOUT_S GRACE_S -- ARGV...\n");
    return 2;
  }
  const char *result = argv[1];
  unsigned timeout = (unsigned)strtoul(argv[4], NULL, 10);
  grace = (unsigned)strtoul(argv[5], NULL, 10);
  char **cmd = &argv[7];

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

  pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    setpgid(0, 0);
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
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) break;
  }
  if (escalate && !cancelled) timed_out = 1;
  // Reap anything left in the group so that nothing outlives the attempt.
  if (escalate) kill(-pid, SIGKILL);
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
  fprintf(f, "v1 exit=%d signal=%d timedout=%d cancelled=%d wall_ms=%lld cpu_ms=%lld maxrss_kib=%ld start_ms=%lld pid=%d\n",
          code, sig, (int)timed_out, (int)cancelled, wall, cpu, ru.ru_maxrss, start_wall, (int)pid);
  fclose(f);
  rename(tmp, result);
  if (sig) return 128 + sig;
  return code < 0 ? 125 : code;
}
