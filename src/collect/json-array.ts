import { readFileSync } from 'node:fs';
import { checkObject } from './json-lines.js';
import type { Assembler, Piece } from './piece.js';
import { CollectProblem } from './problem.js';
import type { Sink } from './sink.js';

/**
 * JSON arrays of objects: one array of every object of every file, each with `"run"` as its
 * first field. A JSON document cannot be cut into records without parsing it, so each file is
 * read whole: memory is bounded by the largest file, not by the dataset.
 */
export class JsonArrayAssembler implements Assembler {
  private count = 0;

  add(piece: Piece, sink: Sink): void {
    const text = readFileSync(piece.file, 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new CollectProblem(
        'bad-json',
        `not JSON: ${(e as Error).message}`,
        2,
        jsonErrorAt(piece.shown, text, e),
      );
    }
    if (!Array.isArray(value))
      throw new CollectProblem(
        'not-an-object',
        'the file is not a JSON array',
        2,
        { file: piece.shown, line: 1, column: 1, source: text.split('\n', 1)[0] ?? '' },
        [],
        'with --format json each file is an array of objects; one object per line is --format jsonl',
      );
    for (const [i, record] of value.entries()) {
      checkObject(record, { file: `${piece.shown} (record ${i})`, line: 1, column: 1 });
      sink.write(`${this.count++ === 0 ? '[\n' : ',\n'}${JSON.stringify({ run: piece.run, ...record })}`);
    }
  }

  end(sink: Sink): void {
    sink.write(this.count === 0 ? '[]\n' : '\n]\n');
  }
}

/** Where JSON.parse stopped (`... at position 12`), as line and column. */
function jsonErrorAt(file: string, text: string, e: unknown) {
  const m = /position (\d+)/.exec((e as Error).message);
  const offset = m ? Number(m[1]) : 0;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const start = before.lastIndexOf('\n') + 1;
  const end = text.indexOf('\n', start);
  return { file, line, column: offset - start + 1, source: text.slice(start, end < 0 ? undefined : end) };
}
