import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { commandArgv } from '../schedulers/launcher/launch.js';

/**
 * Runs a node's `check` command (validation of its outputs) in the task's workdir, with its
 * output appended to `log`. Resolves with the exit code (or -1 if it could not run).
 */
export function runCheck(
  check: string | readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; log: string; timeoutMs?: number },
): Promise<number> {
  return new Promise((resolve) => {
    let fd: number | undefined;
    try {
      fd = openSync(opts.log, 'a');
      const [cmd, ...args] = commandArgv(check, []);
      const child = spawn(cmd!, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', fd, fd] });
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
      child.on('error', () => {
        clearTimeout(timer);
        resolve(-1);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    } catch {
      resolve(-1);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  });
}
