import TOML from '@iarna/toml';
import { type Document, LineCounter } from 'yaml';
import { type Diagnostic, diag } from './diagnostic.js';
import { MAX_DEPTH } from './shape.js';
import type { Source } from './source.js';
import { isAliasBomb, MAX_ALIAS_COUNT, parseYamlDocument } from './yaml.js';

/** The parsed document as plain data, plus what the locator can reuse later. */
export interface Parsed {
  readonly data: Record<string, unknown>;
  /** The YAML document keeps its node ranges; kept so that positions cost nothing extra. */
  readonly yamlDoc?: Document.Parsed;
  readonly yamlLines?: LineCounter;
}

export type ParseResult = { ok: true; parsed: Parsed } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Parses without positions (the fast path); positions are computed by the locator only when
 * there is something to report.
 */
export function parseSource(source: Source, sourceIndex = 0): ParseResult {
  return source.format === 'yaml' ? parseYaml(source, sourceIndex) : parseToml(source, sourceIndex);
}

function parseToml(source: Source, sourceIndex: number): ParseResult {
  try {
    const data = TOML.parse(source.text) as Record<string, unknown>;
    return { ok: true, parsed: { data } };
  } catch (err) {
    const e = err as { line?: number; col?: number; message?: string; fromTOML?: boolean };
    if (!e.fromTOML) throw err;
    // The parser's message repeats the position and a source excerpt; keep only the sentence.
    const message = String(e.message ?? 'syntax error')
      .split('\n')[0]!
      .replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    return {
      ok: false,
      diagnostics: [
        diag(`toml-syntax`, `TOML syntax error: ${lowerFirst(message)}`, {
          source: sourceIndex,
          path: [],
          part: 'key',
          at: { line: (e.line ?? 0) + 1, column: (e.col ?? 0) + 1 },
        }),
      ],
    };
  }
}

function parseYaml(source: Source, sourceIndex: number): ParseResult {
  const lines = new LineCounter();
  const at = (offset: number, length = 1) => {
    const pos = lines.linePos(offset);
    return {
      source: sourceIndex,
      path: [],
      part: 'key' as const,
      at: { line: pos.line, column: pos.col, length },
    };
  };
  const parsed = parseYamlDocument(source.text, lines);
  if (!parsed.ok) {
    return {
      ok: false,
      diagnostics: [
        diag(
          'too-deep',
          `tables and arrays are nested more than ${MAX_DEPTH} deep here`,
          at(parsed.tooDeep),
          {
            suggestion: `a campaign nests subcampaigns and values at most ${MAX_DEPTH} deep`,
          },
        ),
      ],
    };
  }
  const doc = parsed.doc;
  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) => {
        const pos = atLastText(source.text, lines, e.pos[0]);
        const length = Math.max(1, e.pos[1] - e.pos[0]);
        return diag(`yaml-syntax`, `YAML syntax error: ${lowerFirst(e.message.split('\n')[0]!)}`, {
          source: sourceIndex,
          path: [],
          part: 'key',
          at: { line: pos.line, column: pos.col, length },
        });
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!isAliasBomb(err)) throw err;
    return {
      ok: false,
      diagnostics: [
        diag(
          'yaml-aliases',
          `YAML aliases expand this document too far (more than ${MAX_ALIAS_COUNT} aliased values)`,
          at(parsed.firstAlias?.offset ?? 0, parsed.firstAlias?.length),
          { suggestion: 'write the repeated values out, or alias fewer and smaller anchors' },
        ),
      ],
    };
  }
  if (data === null || data === undefined)
    return { ok: true, parsed: { data: {}, yamlDoc: doc, yamlLines: lines } };
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      diagnostics: [
        diag('not-a-table', 'the campaign file must be a mapping with a `campaign` key', {
          source: sourceIndex,
          path: [],
          part: 'key',
          at: { line: 1, column: 1 },
        }),
      ],
    };
  }
  return { ok: true, parsed: { data: data as Record<string, unknown>, yamlDoc: doc, yamlLines: lines } };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** An error reported at the very end of the file is shown at the end of its last line of text. */
function atLastText(text: string, lines: LineCounter, offset: number): { line: number; col: number } {
  let at = Math.min(offset, text.length);
  while (at > 0 && /\s/.test(text[at - 1]!) && text.slice(at).trim() === '') at--;
  if (at === Math.min(offset, text.length)) return lines.linePos(offset);
  return lines.linePos(at);
}
