/** Exit codes; documented in docs/cli.md. */
export const Exit = {
  ok: 0,
  /** Some tasks failed (or were skipped because of a failure); or state could not be read or written. */
  failed: 1,
  /** Bad input: an invalid campaign file, a bad option, an unknown node. */
  usage: 2,
  /** Another run holds the campaign's lock. */
  locked: 3,
  /** An internal error: a bug in campaign. */
  internal: 70,
  /** Interrupted (Ctrl-C, SIGTERM). */
  interrupted: 130,
} as const;

/** What went wrong, as the user sees it: each kind has its exit code. */
export type FailureKind = 'usage' | 'locked' | 'io';

/**
 * A failure the user can act on: printed as one message, never with a stack trace. A command
 * throws one of its kinds, and `main` maps each to its exit code.
 */
export abstract class CliFailure extends Error {
  abstract readonly kind: FailureKind;
  abstract readonly exitCode: number;
}

/** Bad input or usage: an invalid campaign file, a bad option, an unknown task (exit 2). */
export class UsageError extends CliFailure {
  readonly kind = 'usage' as const;
  /**
   * @param exitCode kept for callers that still give a locked or I/O exit code here;
   *   new code throws `LockedError` or `IoFailure` instead.
   */
  constructor(
    message: string,
    readonly exitCode: number = Exit.usage,
  ) {
    super(message);
  }
}

/** The campaign is held by another run, or by attempts this one may not take over (exit 3). */
export class LockedError extends CliFailure {
  readonly kind = 'locked' as const;
  readonly exitCode = Exit.locked;
}

/** A file or folder could not be read or written: the disk, permissions, a wrong path (exit 1). */
export class IoFailure extends CliFailure {
  readonly kind = 'io' as const;
  readonly exitCode = Exit.failed;

  /** `cannot write /x/report.html: no such file or directory (ENOENT)`. */
  static of(action: string, path: string, e: unknown): IoFailure {
    return new IoFailure(`cannot ${action} ${path}: ${errnoText(e)}`);
  }
}

/** An error of a system call as the user reads it: `permission denied (EACCES)`. */
export function errnoText(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  if (typeof x?.code !== 'string') return e instanceof Error ? e.message : String(e);
  // Node's message is `EACCES: permission denied, open '/x'`: keep the words between.
  const words = x.message.replace(/^[A-Z0-9_]+: /, '').replace(/, [a-z]+ '.*$/s, '');
  return `${words} (${x.code})`;
}

/** An unexpected exception that is a failed system call on a path: an I/O failure, not a bug. */
export function asIoFailure(e: unknown): IoFailure | undefined {
  const x = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof x.code !== 'string' || !/^E[A-Z]+$/.test(x.code)) return undefined;
  if (typeof x.path !== 'string' || typeof x.syscall !== 'string') return undefined;
  return IoFailure.of(x.syscall, x.path, e);
}
