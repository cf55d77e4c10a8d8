import type { LocatedDiagnostic, Location } from '../config/diagnostic.js';

/**
 * Renders diagnostics the way compilers do: `file:line:col: severity: message [code]`, the
 * source line with a marker under the exact key or value, related locations, a suggestion.
 */
export function formatDiagnostics(ds: readonly LocatedDiagnostic[], opts: { color?: boolean } = {}): string {
  const c = painter(opts.color ?? false);
  const out: string[] = [];
  for (const d of ds) {
    const sev = d.severity === 'error' ? c.red('error') : c.yellow('warning');
    const where = d.location ? `${c.bold(position(d.location))}: ` : '';
    out.push(`${where}${sev}: ${c.bold(d.message)} [${d.code}]`);
    if (d.location) out.push(...excerpt(d.location, c));
    for (const r of d.related) {
      out.push(`  ${c.cyan('note')}: ${r.location ? `${position(r.location)}: ` : ''}${r.message}`);
      if (r.location) out.push(...excerpt(r.location, c).map((l) => `  ${l}`));
    }
    if (d.suggestion) out.push(`  ${c.green('help')}: ${d.suggestion}`);
    out.push('');
  }
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  if (ds.length > 0) out.push(summary(errors, warnings));
  return `${out.join('\n')}\n`;
}

export function summary(errors: number, warnings: number): string {
  const parts = [];
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

function position(l: Location): string {
  return `${l.file}:${l.line}:${l.column}`;
}

function excerpt(l: Location, c: Painter): string[] {
  const text = l.lineText.replace(/\t/g, ' ');
  const num = String(l.line);
  const pad = ' '.repeat(num.length);
  const marker = ' '.repeat(Math.max(0, l.column - 1)) + '^'.repeat(Math.max(1, l.length));
  return [`  ${num} | ${text}`, `  ${pad} | ${c.red(marker)}`];
}

/** Diagnostics as JSON for editors and tools; positions are 1-based. */
export function diagnosticsJson(ds: readonly LocatedDiagnostic[]): string {
  const loc = (l?: Location) =>
    l
      ? { file: l.file, line: l.line, column: l.column, endColumn: l.column + l.length, source: l.lineText }
      : {};
  return `${JSON.stringify(
    {
      ok: !ds.some((d) => d.severity === 'error'),
      errors: ds.filter((d) => d.severity === 'error').length,
      warnings: ds.filter((d) => d.severity === 'warning').length,
      diagnostics: ds.map((d) => ({
        severity: d.severity,
        code: d.code,
        message: d.message,
        ...loc(d.location),
        ...(d.suggestion ? { suggestion: d.suggestion } : {}),
        related: d.related.map((r) => ({ message: r.message, ...loc(r.location) })),
      })),
    },
    null,
    2,
  )}\n`;
}

interface Painter {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
}

export function painter(color: boolean): Painter {
  const wrap = (open: number, close: number) => (s: string) =>
    color ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
    bold: wrap(1, 22),
  };
}
