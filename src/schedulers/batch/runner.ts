import { execa } from 'execa';

/** What a batch scheduler command printed and how it exited. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one scheduler command (`sbatch`, `squeue`, `qsub`, `qstat`, `qdel`, ...) to completion.
 * Injectable so tests can count calls or inject a rare fault in front of the real cluster.
 */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  opts?: { readonly cwd?: string },
) => Promise<CommandResult>;

/** The runner that executes the real commands; a missing command is exit code 127. */
export function execaRunner(env: NodeJS.ProcessEnv = process.env): CommandRunner {
  return async (command, args, opts = {}) => {
    const r = await execa(command, [...args], {
      reject: false,
      env,
      extendEnv: false,
      stdin: 'ignore',
      timeout: 120_000,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    const code = typeof r.exitCode === 'number' ? r.exitCode : r.failed && r.code === 'ENOENT' ? 127 : 1;
    return { exitCode: code, stdout: String(r.stdout ?? ''), stderr: String(r.stderr || r.message || '') };
  };
}

/** One line for an error message: the command's stderr (or stdout), trimmed. */
export function firstLine(r: CommandResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n');
  return text.find((l) => /error/i.test(l))?.trim() ?? text[0]?.trim() ?? `exit code ${r.exitCode}`;
}
