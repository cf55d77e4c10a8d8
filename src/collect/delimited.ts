import type { Assembler, Piece } from './piece.js';
import { CollectProblem } from './problem.js';
import { readChunks } from './read-chunks.js';
import type { Sink } from './sink.js';

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * CSV (quoted fields may hold newlines) or TSV (one record per line): one header for the
 * whole dataset, with `run` as its first column, and every record of every file prefixed
 * with its run id. Records are passed through as bytes, never parsed into fields, so a
 * file's size does not matter: one read buffer and one write buffer are all it takes.
 */
export class DelimitedAssembler implements Assembler {
  private first?: { header: string; piece: Piece };

  constructor(private readonly delimiter: ',' | '\t') {}

  add(piece: Piece, sink: Sink): void {
    const quotes = this.delimiter === ',';
    const prefix = Buffer.from(`${piece.run}${this.delimiter}`);
    let header: Buffer[] | undefined = [];
    let inQuote = false;
    let atStart = true;
    let line = 1;
    let recordLine = 1;
    readChunks(piece.file, (buf) => {
      let pos = 0;
      // The next quote in the chunk, found once and reused line after line: a chunk without
      // quotes is searched for them once, not once per line.
      let quote = quotes ? buf.indexOf(QUOTE) : -1;
      while (pos < buf.length) {
        // The end of the record that goes on at pos: a newline outside quotes.
        let end = -1;
        for (let p = pos; ; ) {
          const nl = buf.indexOf(NL, p);
          const stop = nl < 0 ? buf.length : nl;
          while (quote >= 0 && quote < stop) {
            inQuote = !inQuote;
            quote = buf.indexOf(QUOTE, quote + 1);
          }
          if (nl < 0) break;
          line++;
          if (!inQuote) {
            end = nl;
            break;
          }
          p = nl + 1;
        }
        const stop = end < 0 ? buf.length : end + 1;
        if (header) {
          header.push(Buffer.from(buf.subarray(pos, stop)));
          if (end >= 0) {
            this.header(Buffer.concat(header).toString('utf8'), piece, sink);
            header = undefined;
            recordLine = line;
          }
        } else {
          const blank = atStart && (end === pos || (end === pos + 1 && buf[pos] === CR));
          if (!blank) {
            if (atStart) sink.write(prefix);
            sink.write(buf.subarray(pos, stop));
          }
          atStart = end >= 0;
          if (atStart) recordLine = line;
        }
        pos = stop;
      }
    });
    if (inQuote)
      throw new CollectProblem('unclosed-quote', 'a quoted field is never closed', 2, {
        file: piece.shown,
        line: recordLine,
        column: 1,
      });
    if (header) {
      const text = Buffer.concat(header).toString('utf8');
      if (text.trim() === '')
        throw new CollectProblem('no-header', 'the file is empty: it has no header line', 2, {
          file: piece.shown,
          line: 1,
          column: 1,
        });
      this.header(text, piece, sink);
      return;
    }
    if (!atStart) sink.write('\n');
  }

  end(): void {}

  /** The first file's header is the dataset's; every other file's must be the same. */
  private header(text: string, piece: Piece, sink: Sink): void {
    const header = text.replace(/\r?\n$/, '');
    const fields = splitHeader(header, this.delimiter);
    const runField = fields.findIndex((f) => f.name === 'run');
    if (runField >= 0) {
      const f = fields[runField]!;
      throw new CollectProblem(
        'run-field',
        'the header already has a `run` column, which collect adds',
        2,
        { file: piece.shown, line: 1, column: f.start + 1, source: header, length: f.length },
        [],
        'rename the column in the program that writes the file',
      );
    }
    if (!this.first) {
      this.first = { header, piece };
      sink.write(`run${this.delimiter}${header}\n`);
      return;
    }
    if (header === this.first.header) return;
    const before = splitHeader(this.first.header, this.delimiter);
    let k = 0;
    while (k < fields.length && k < before.length && fields[k]!.name === before[k]!.name) k++;
    const at = fields[k] ?? { start: header.length, length: 1 };
    const was = before[k];
    throw new CollectProblem(
      'header-mismatch',
      was
        ? `the header differs from the first file's: column ${k + 1} is \`${fields[k]?.name ?? ''}\`, not \`${was.name}\``
        : `the header differs from the first file's: column ${k + 1} is not in it`,
      2,
      { file: piece.shown, line: 1, column: at.start + 1, source: header, length: at.length },
      [
        {
          message: `the first file's header (run ${this.first.piece.run})`,
          at: {
            file: this.first.piece.shown,
            line: 1,
            column: (was ?? { start: this.first.header.length }).start + 1,
            source: this.first.header,
            length: was?.length ?? 1,
          },
        },
      ],
      'every run must write the same columns; collect the runs that agree with --runs RUN...',
    );
  }
}

/** Header fields with their positions; CSV names may be quoted. */
function splitHeader(header: string, delimiter: string): { name: string; start: number; length: number }[] {
  const out: { name: string; start: number; length: number }[] = [];
  let start = 0;
  while (start <= header.length) {
    let end: number;
    if (delimiter === ',' && header[start] === '"') {
      end = start + 1;
      while (end < header.length && !(header[end] === '"' && header[end + 1] !== '"'))
        end += header[end] === '"' ? 2 : 1;
      end = header.indexOf(delimiter, end);
    } else end = header.indexOf(delimiter, start);
    if (end < 0) end = header.length;
    const raw = header.slice(start, end);
    const name =
      raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2
        ? raw.slice(1, -1).replaceAll('""', '"')
        : raw;
    out.push({ name: name.trim(), start, length: Math.max(1, raw.length) });
    start = end + 1;
  }
  return out;
}
