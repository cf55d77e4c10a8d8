/** Exit codes; documented in docs/cli.md. */
export const Exit = {
  ok: 0,
  /** Some tasks failed (or were skipped because of a failure). */
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

/** A failure the user can act on: printed as a message, never with a stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = Exit.usage,
  ) {
    super(message);
  }
}
