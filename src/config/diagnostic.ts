/**
 * Every diagnostic code the program emits, grouped as docs/diagnostics.md documents them.
 * A code is a stable identifier that tools may match on: add new ones here and in the docs.
 */
export const DIAGNOSTIC_CODES = [
  // Reading and parsing the file
  'unreadable',
  'toml-syntax',
  'yaml-syntax',
  'yaml-aliases',
  'too-deep',
  'not-a-table',
  'nul-character',
  'bad-number',
  // Variables and `--set`
  'bad-override',
  'unknown-variable',
  'undefined-var',
  'undefined-env',
  'var-cycle',
  // Schema
  'unknown-key',
  'missing-key',
  'wrong-type',
  'bad-value',
  'bad-unit',
  'schema',
  'duplicate-id',
  'runnable-with-children',
  'empty-group',
  'cores-and-ranks',
  'id-without-fanout',
  'setting-on-group',
  'no-instances',
  'skip-without-outputs',
  'skip-chunk-workdir',
  // References between nodes
  'unknown-dependency',
  'self-dependency',
  'cycle',
  'bad-selector',
  'not-fanned-out',
  'unknown-selector-key',
  'empty-selection',
  'bad-relative-selector',
  'too-many-edges',
  // Fan-out
  'empty-fanout',
  'zip-lengths',
  'duplicate-key',
  'bad-range',
  'foreach-unreadable',
  'bad-data',
  'bad-template',
  'unknown-placeholder',
  'item-value-in-chunk',
  'missing-value',
  'bad-format',
  'unsafe-id',
  'duplicate-instance',
  'rejected-items',
  'nul-in-value',
  'unsafe-path',
  // Workflow types and plugins
  'command-and-workflow',
  'params-without-workflow',
  'unknown-workflow',
  'plugin-not-found',
  'plugin-failed',
  'plugin-invalid',
  'workflow-failed',
  'workflow-bad-result',
  // Resources and planning
  'exceeds-budget',
  'bad-headroom',
  'bad-scaling',
  'bad-escalate',
  'bad-cluster',
  'unknown-partition',
  'fits-no-partition',
  'bad-deadline',
  'deadline-past',
  'deadline-missed',
  // Scheduler
  'unknown-scheduler-option',
] as const;

/** A stable diagnostic code; a code missing from `DIAGNOSTIC_CODES` is a compile error. */
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** A path into the parsed campaign document: table keys and array indices. */
export type DocPath = readonly (string | number)[];

/** Which part of a key/value pair a diagnostic points at. */
export type Part = 'key' | 'value';

/** Where in which source a problem lies, before positions are computed. */
export interface Where {
  /** Index into the list of sources (0 = the campaign file, then one per `--set`). */
  readonly source?: number;
  readonly path: DocPath;
  readonly part: Part;
  /** A span inside a string value, counted in characters of the decoded string. */
  readonly span?: { readonly start: number; readonly length: number };
  /** A position known directly (syntax errors): 1-based line and column. */
  readonly at?: { readonly line: number; readonly column: number; readonly length?: number };
}

/** A secondary location that explains a diagnostic (an edge of a cycle, the first definition). */
export interface Related {
  readonly message: string;
  readonly where: Where;
}

/** One problem in a campaign, with enough to print it against the source. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** Stable identifier, documented in docs/diagnostics.md. */
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly where?: Where;
  readonly related?: readonly Related[];
  readonly suggestion?: string;
}

/** A resolved location: 1-based line and column. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Length of the marked range on that line (at least 1). */
  readonly length: number;
  readonly lineText: string;
}

export interface LocatedRelated {
  readonly message: string;
  readonly location?: Location;
}

/** A diagnostic whose `where` has been turned into a file position. */
export interface LocatedDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly location?: Location;
  readonly related: readonly LocatedRelated[];
  readonly suggestion?: string;
}

/** Builds a diagnostic with the common defaults. */
export function diag(
  code: DiagnosticCode,
  message: string,
  where?: Where,
  extra: { related?: Related[]; suggestion?: string; severity?: 'error' | 'warning' } = {},
): Diagnostic {
  return {
    severity: extra.severity ?? 'error',
    code,
    message,
    ...(where ? { where } : {}),
    ...(extra.related && extra.related.length > 0 ? { related: extra.related } : {}),
    ...(extra.suggestion ? { suggestion: extra.suggestion } : {}),
  };
}

/** How a diagnostic names a key: `memory`, or `command[1]` for an array element. */
export function keyName(path: DocPath): string {
  if (path.length === 0) return 'the document';
  let i = path.length - 1;
  let suffix = '';
  while (i > 0 && typeof path[i] === 'number') suffix = `[${path[i--]}]${suffix}`;
  return `\`${path[i]}${suffix}\``;
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');
