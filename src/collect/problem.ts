/** Where in a data file a problem is: 1-based line and column, the line's text, the span marked. */
export interface DataLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly source?: string;
  readonly length?: number;
}

/** Stable codes of what can stop an assembly; docs/cli.md lists them. */
export type CollectCode =
  | 'header-mismatch'
  | 'no-header'
  | 'run-field'
  | 'bad-json'
  | 'not-an-object'
  | 'unclosed-quote'
  | 'files-missing'
  | 'command-failed'
  | 'unknown-run'
  | 'outputs-without-run';

/**
 * Why a dataset cannot be assembled, as a value: a code, a message, the place in the data
 * file, related places. `exit` is 2 when the data do not fit together (bad input), 1 when
 * recorded results are gone or the user's command failed.
 */
export class CollectProblem extends Error {
  constructor(
    readonly code: CollectCode,
    message: string,
    readonly exit: 1 | 2,
    readonly at?: DataLocation,
    readonly related: readonly { readonly message: string; readonly at?: DataLocation }[] = [],
    readonly suggestion?: string,
  ) {
    super(message);
  }

  /** Compiler style, as the campaign file's diagnostics: `file:line:col: error: ... [code]`. */
  format(): string {
    const out = [`${this.at ? `${position(this.at)}: ` : ''}error: ${this.message} [${this.code}]`];
    if (this.at) out.push(...excerpt(this.at));
    for (const r of this.related) {
      out.push(`  note: ${r.at ? `${position(r.at)}: ` : ''}${r.message}`);
      if (r.at) out.push(...excerpt(r.at).map((l) => `  ${l}`));
    }
    if (this.suggestion) out.push(`  help: ${this.suggestion}`);
    return `${out.join('\n')}\n`;
  }
}

const position = (at: DataLocation) => `${at.file}:${at.line}:${at.column}`;

function excerpt(at: DataLocation): string[] {
  if (at.source === undefined) return [];
  const n = String(at.line);
  const gutter = ' '.repeat(n.length);
  const shown = at.source.length > 200 ? `${at.source.slice(0, 200)}...` : at.source;
  const marker = `${' '.repeat(Math.min(at.column - 1, 200))}${'^'.repeat(Math.max(1, Math.min(at.length ?? 1, 200)))}`;
  return [`  ${n} | ${shown}`, `  ${gutter} | ${marker}`];
}
