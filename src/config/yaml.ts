import { Composer, type CST, type Document, type LineCounter, Parser, YAMLParseError } from 'yaml';
import { MAX_DEPTH } from './shape.js';

/** Aliases may make a document this much bigger, as the yaml library counts it; more is a bomb. */
export const MAX_ALIAS_COUNT = 10_000;

/** Offset and length of a token in the text. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** The document, or where it nests too deep to be composed safely. */
export type YamlParse =
  | { ok: true; doc: Document.Parsed; firstAlias?: Span }
  | { ok: false; tooDeep: number };

/**
 * Parses YAML in two steps so that nesting is bounded before anything recurses: the concrete
 * syntax tree (which the library builds without recursion) is measured first, and composed into
 * a document only when no collection is nested more than MAX_DEPTH deep.
 */
export function parseYamlDocument(text: string, lines: LineCounter): YamlParse {
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const scan = scanTokens(tokens);
  if (scan.tooDeep !== undefined) return { ok: false, tooDeep: scan.tooDeep };
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false });
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(tokens, true, text.length)) {
    if (!doc) doc = d;
    else {
      const [start, end] = d.range;
      doc.errors.push(
        new YAMLParseError(
          [start, end],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; a campaign file holds one',
        ),
      );
      break;
    }
  }
  // compose(..., forceDoc = true) always yields a document.
  return { ok: true, doc: doc!, ...(scan.firstAlias !== undefined ? { firstAlias: scan.firstAlias } : {}) };
}

/** True for the error the yaml library throws when aliases expand too much. */
export function isAliasBomb(err: unknown): boolean {
  return err instanceof ReferenceError && /alias/i.test(err.message);
}

/** The offset of the first collection nested too deep, and of the first alias, if any. */
function scanTokens(tokens: readonly CST.Token[]): { tooDeep?: number; firstAlias?: Span } {
  let firstAlias: Span | undefined;
  const stack: { token: CST.Token; depth: number }[] = [];
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.type === 'document' && t.value) stack.push({ token: t.value, depth: 0 });
  }
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'alias') {
      if (firstAlias === undefined || token.offset < firstAlias.offset)
        firstAlias = { offset: token.offset, length: token.source.length };
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth > MAX_DEPTH) return { tooDeep: token.offset };
    // Pushed last to first, so that the first offending collection in the file is found first.
    for (let i = token.items.length - 1; i >= 0; i--) {
      const item = token.items[i]!;
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
    }
  }
  return firstAlias !== undefined ? { firstAlias } : {};
}
