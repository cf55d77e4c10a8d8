/**
 * The launcher every adapter runs an attempt through (the compiled `campaign-exec`, or its sh
 * fallback) and the argv it takes; the result line it writes is read in `result.ts`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Submission } from '../contract.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const NATIVE = `${root}libexec/campaign-exec`;
const PORTABLE = `${root}native/campaign-exec.sh`;

/** Whether the install could build the compiled launcher (which also serves spawn requests). */
export const nativeLauncher: boolean = existsSync(NATIVE);

/** The launcher: the compiled one when the install could build it, else the sh one. */
export const launcherPath: string = nativeLauncher ? NATIVE : PORTABLE;

/** Seconds between TERM and KILL when an attempt is stopped. */
export const GRACE_SECONDS = 10;

/**
 * The argv that runs a submission through the launcher. Values are passed as separate
 * arguments; only a string command (written by the campaign's author) goes to the shell.
 */
export function launcherArgv(s: Submission, grace = GRACE_SECONDS): string[] {
  const head = [
    s.files.result,
    s.files.out,
    s.files.err,
    String(Math.ceil(s.limit ?? 0)),
    String(grace),
    '--',
  ];
  return [...head, ...commandArgv(s.command, s.setup)];
}

/** A command as argv: shell strings through `sh -c`, argv arrays directly (after setup lines). */
export function commandArgv(command: string | readonly string[], setup: readonly string[]): string[] {
  if (typeof command === 'string') {
    return ['/bin/sh', '-c', setup.length > 0 ? `${setup.join('\n')}\n${command}` : command];
  }
  if (setup.length === 0) return [...command];
  // The argv stays out of the script: it is passed as "$@" and exec'd as is.
  return ['/bin/sh', '-c', `${setup.join('\n')}\nexec "$@"`, 'sh', ...command];
}
