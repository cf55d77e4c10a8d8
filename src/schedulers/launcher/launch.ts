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
 * How far over its memory request an attempt's process group may go before the launcher
 * kills it (native/campaign-exec.c and .sh hold the same figure): 5%, for what summing the
 * resident sets of a group's processes counts twice.
 */
export const MEMORY_TOLERANCE = 0.05;

/**
 * The argv that runs a submission through the launcher. Values are passed as separate
 * arguments; only a string command (written by the campaign's author) goes to the shell.
 * A memory request (MiB) is passed in KiB: the launcher kills the attempt's group when its
 * resident memory goes over it by more than `MEMORY_TOLERANCE`, and the result says `oom=1`.
 */
export function launcherArgv(s: Submission, grace = GRACE_SECONDS): string[] {
  const memory = s.resources.memory;
  const head = [
    s.files.result,
    s.files.out,
    s.files.err,
    String(Math.ceil(s.limit ?? 0)),
    String(grace),
    ...(memory !== undefined && memory > 0 ? [String(Math.ceil(memory * 1024))] : []),
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
