import type { AST } from 'toml-eslint-parser';
import { parseTOML } from 'toml-eslint-parser';
import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node as YamlNode } from 'yaml';
import type { Diagnostic, DocPath, LocatedDiagnostic, Location, Where } from './diagnostic.js';
import type { Overrides } from './overrides.js';
import type { Parsed } from './parse.js';
import type { Source } from './source.js';

/** A range on one line; 1-based line and column. */
interface Span {
  line: number;
  column: number;
  length: number;
}

interface Entry {
  key?: Span;
  value?: Span;
}

const SEP = '\u0000';
const keyOf = (path: DocPath): string => path.join(SEP);

/**
 * Turns document paths into file positions. The position index of a source is built on the
 * first request only, so a campaign with nothing to report never pays for it.
 */
export class Locator {
  private readonly indexes = new Map<number, Map<string, Entry>>();
  private readonly lineCache = new Map<number, string[]>();

  constructor(
    private readonly sources: readonly Source[],
    private readonly parsed: ReadonlyMap<number, Parsed> = new Map(),
    private readonly overrides?: Overrides,
  ) {}

  /** Resolves every diagnostic's location and related locations. */
  locateAll(ds: readonly Diagnostic[]): LocatedDiagnostic[] {
    return ds.map((d) => {
      const location = d.where ? this.locate(d.where) : undefined;
      return {
        severity: d.severity,
        code: d.code,
        message: d.message,
        ...(location ? { location } : {}),
        related: (d.related ?? []).map((r) => {
          const loc = this.locate(r.where);
          return { message: r.message, ...(loc ? { location: loc } : {}) };
        }),
        ...(d.suggestion ? { suggestion: d.suggestion } : {}),
      };
    });
  }

  locate(where: Where): Location | undefined {
    let sourceIndex = where.source ?? 0;
    let path = where.path;
    let part = where.part;
    let span = where.span;
    if (sourceIndex === 0 && !where.at && this.overrides) {
      const hit = this.overrides.originOf(path);
      if (hit) {
        // The value came from `--set`: point at the override, not at the file.
        const exact = hit.path.length === where.path.length;
        sourceIndex = hit.source;
        if (!exact) span = undefined;
        part = exact && where.part === 'key' ? 'key' : 'value';
        path = [];
      }
    }
    const source = this.sources[sourceIndex];
    if (!source) return undefined;
    if (where.at) {
      return this.location(sourceIndex, where.at.line, where.at.column, where.at.length ?? 1);
    }
    const index = this.index(sourceIndex);
    for (let n = path.length; n >= 0; n--) {
      const entry = index.get(keyOf(path.slice(0, n)));
      if (!entry) continue;
      const exact = n === path.length;
      const chosen = (exact && part === 'value' ? (entry.value ?? entry.key) : (entry.key ?? entry.value))!;
      if (exact && part === 'value' && span && entry.value) {
        const inner = this.innerSpan(sourceIndex, entry.value, span);
        if (inner) return this.location(sourceIndex, inner.line, inner.column, inner.length);
      }
      return this.location(sourceIndex, chosen.line, chosen.column, chosen.length);
    }
    return this.location(sourceIndex, 1, 1, 1);
  }

  private innerSpan(
    sourceIndex: number,
    value: Span,
    span: { start: number; length: number },
  ): Span | undefined {
    const text = this.lines(sourceIndex)[value.line - 1] ?? '';
    const raw = text.slice(value.column - 1, value.column - 1 + value.length);
    if (raw.startsWith('"""') || raw.startsWith("'''")) return undefined;
    const start = rawOffset(raw, span.start);
    const end = rawOffset(raw, span.start + span.length);
    if (start === undefined || end === undefined) return undefined;
    return { line: value.line, column: value.column + start, length: Math.max(1, end - start) };
  }

  private location(sourceIndex: number, line: number, column: number, length: number): Location {
    const source = this.sources[sourceIndex]!;
    const lineText = this.lines(sourceIndex)[line - 1] ?? '';
    const room = Math.max(1, lineText.length - column + 1);
    return { file: source.name, line, column, length: Math.max(1, Math.min(length, room)), lineText };
  }

  private lines(sourceIndex: number): string[] {
    let lines = this.lineCache.get(sourceIndex);
    if (!lines) {
      lines = (this.sources[sourceIndex]?.text ?? '').split(/\r?\n/);
      this.lineCache.set(sourceIndex, lines);
    }
    return lines;
  }

  private index(sourceIndex: number): Map<string, Entry> {
    let index = this.indexes.get(sourceIndex);
    if (index) return index;
    index = new Map();
    const source = this.sources[sourceIndex]!;
    try {
      if (source.format === 'override') indexOverride(source.text, index);
      else if (source.format === 'yaml') {
        const p = this.parsed.get(sourceIndex);
        if (p?.yamlDoc && p.yamlLines)
          indexYaml(p.yamlDoc.contents as YamlNode | null, [], p.yamlLines, index);
      } else indexToml(source.text, index);
    } catch {
      // A document the fast parser accepted should always index; if not, positions fall back to 1:1.
    }
    this.indexes.set(sourceIndex, index);
    return index;
  }
}

/**
 * Where the character at `decoded` (an index into the string's value) is in its source text
 * `raw`, quotes and escapes included: `\u0000` is six characters of source for one of value.
 * Undefined when the value does not reach that far on this line.
 */
function rawOffset(raw: string, decoded: number): number | undefined {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") return decoded <= raw.length ? decoded : undefined;
  let i = 1;
  let d = 0;
  while (d < decoded) {
    const c = raw[i];
    if (c === undefined || c === quote) {
      // YAML writes a quote inside single quotes as two.
      if (c === "'" && raw[i + 1] === "'") {
        i += 2;
        d++;
        continue;
      }
      return undefined;
    }
    if (quote === '"' && c === '\\') {
      const e = raw[i + 1];
      if (e === 'U') {
        d += Number.parseInt(raw.slice(i + 2, i + 10), 16) > 0xffff ? 2 : 1;
        i += 10;
      } else {
        d++;
        i += e === 'u' ? 6 : e === 'x' ? 4 : 2;
      }
      continue;
    }
    i++;
    d++;
  }
  return i;
}

function record(index: Map<string, Entry>, path: DocPath, which: 'key' | 'value', span: Span): void {
  const k = keyOf(path);
  const entry = index.get(k);
  if (!entry) index.set(k, { [which]: span });
  else if (!entry[which]) entry[which] = span;
}

function tomlSpan(loc: AST.SourceLocation): Span {
  const length = loc.start.line === loc.end.line ? loc.end.column - loc.start.column : 1_000;
  return { line: loc.start.line, column: loc.start.column + 1, length: Math.max(1, length) };
}

function indexToml(text: string, index: Map<string, Entry>): void {
  const ast = parseTOML(text);
  for (const top of ast.body) {
    for (const item of top.body) {
      if (item.type === 'TOMLTable') {
        const rk = item.resolvedKey as (string | number)[];
        // Each segment of a header names a table of its own (`[a.b.c]` defines a and a.b too).
        let seg = 0;
        const keys = item.key.keys;
        for (let i = 0; i < rk.length && seg < keys.length; i++) {
          if (typeof rk[i] === 'number') continue;
          const prefix = rk.slice(0, i + 1);
          const isLast = seg === keys.length - 1;
          record(index, isLast ? rk : prefix, 'key', tomlSpan(keys[seg]!.loc));
          if (isLast && rk.length > i + 1) record(index, prefix, 'key', tomlSpan(keys[seg]!.loc));
          seg++;
        }
        for (const kv of item.body) indexTomlKeyValue(kv, rk, index);
      } else {
        indexTomlKeyValue(item, [], index);
      }
    }
  }
}

function indexTomlKeyValue(kv: AST.TOMLKeyValue, base: DocPath, index: Map<string, Entry>): void {
  const names = kv.key.keys.map((k) => ('name' in k ? k.name : String(k.value)));
  for (let i = 0; i < names.length; i++) {
    record(index, [...base, ...names.slice(0, i + 1)], 'key', tomlSpan(kv.key.keys[i]!.loc));
  }
  indexTomlValue(kv.value, [...base, ...names], index);
}

function indexTomlValue(v: AST.TOMLContentNode, path: DocPath, index: Map<string, Entry>): void {
  record(index, path, 'value', tomlSpan(v.loc));
  if (v.type === 'TOMLArray') {
    for (let i = 0; i < v.elements.length; i++) indexTomlValue(v.elements[i]!, [...path, i], index);
  } else if (v.type === 'TOMLInlineTable') for (const kv of v.body) indexTomlKeyValue(kv, path, index);
}

function yamlSpan(lines: LineCounter, start: number, end: number): Span {
  const a = lines.linePos(start);
  const b = lines.linePos(Math.max(start, end));
  const length = a.line === b.line ? b.col - a.col : 1_000;
  return { line: a.line, column: a.col, length: Math.max(1, length) };
}

function indexYaml(
  node: YamlNode | null,
  path: DocPath,
  lines: LineCounter,
  index: Map<string, Entry>,
): void {
  if (!node) return;
  if (node.range) record(index, path, 'value', yamlSpan(lines, node.range[0], node.range[1]));
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const childPath = [...path, name];
      if (keyNode?.range)
        record(index, childPath, 'key', yamlSpan(lines, keyNode.range[0], keyNode.range[1]));
      indexYaml(pair.value as YamlNode | null, childPath, lines, index);
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++)
      indexYaml(node.items[i] as YamlNode | null, [...path, i], lines, index);
  }
}

/** `--set a.b.c=value`: the key is the dotted path, the value everything after `=`. */
function indexOverride(text: string, index: Map<string, Entry>): void {
  const eq = text.indexOf('=');
  const keyPart = eq < 0 ? text : text.slice(0, eq);
  const span: Span = { line: 1, column: 1, length: Math.max(1, keyPart.length) };
  const value: Span = eq < 0 ? span : { line: 1, column: eq + 2, length: Math.max(1, text.length - eq - 1) };
  index.set('', { key: span, value });
}
