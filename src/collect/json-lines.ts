import type { Assembler, Piece } from './piece.js';
import { CollectProblem, type DataLocation } from './problem.js';
import { readChunks } from './read-chunks.js';
import type { Sink } from './sink.js';

/**
 * JSON Lines: every object of every file, one per line, with `"run"` as its first field. The
 * rest of each line is written as it was (numbers keep their spelling); each line is parsed
 * only to check that it is one object without a `run` field of its own.
 */
export class JsonLinesAssembler implements Assembler {
  add(piece: Piece, sink: Sink): void {
    const tag = `{"run":${JSON.stringify(piece.run)}`;
    let carry: Buffer | undefined;
    let line = 0;
    const one = (bytes: Buffer) => {
      line++;
      const text = bytes.toString('utf8').replace(/\r$/, '');
      if (text.trim() === '') return;
      sink.write(tagged(text, tag, { file: piece.shown, line, column: 1, source: text }));
    };
    readChunks(piece.file, (buf) => {
      let pos = 0;
      for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, pos)) {
        const part = buf.subarray(pos, nl);
        one(carry ? Buffer.concat([carry, part]) : part);
        carry = undefined;
        pos = nl + 1;
      }
      if (pos < buf.length) {
        const rest = Buffer.from(buf.subarray(pos));
        carry = carry ? Buffer.concat([carry, rest]) : rest;
      }
    });
    if (carry) one(carry);
  }

  end(): void {}
}

/** One line `{...}` as `{"run":"...",...}\n`. */
function tagged(text: string, tag: string, at: DataLocation): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CollectProblem('bad-json', `not JSON: ${(e as Error).message}`, 2, at);
  }
  checkObject(value, at);
  const open = text.indexOf('{');
  const inner = text.slice(open + 1).trimStart();
  return inner.startsWith('}') ? `${tag}}\n` : `${tag},${inner}\n`;
}

/** A record must be an object without a `run` field: collect adds that field. */
export function checkObject(value: unknown, at: DataLocation): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CollectProblem(
      'not-an-object',
      `a record is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not an object`,
      2,
      at,
      [],
      'collect tags each record with its run: every record must be a JSON object',
    );
  if (Object.hasOwn(value, 'run'))
    throw new CollectProblem(
      'run-field',
      'a record already has a `run` field, which collect adds',
      2,
      at,
      [],
      'rename the field in the program that writes the file',
    );
}
