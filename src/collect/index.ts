import { CommandAssembler } from './command.js';
import { DelimitedAssembler } from './delimited.js';
import { JsonArrayAssembler } from './json-array.js';
import { JsonLinesAssembler } from './json-lines.js';
import type { Assembler, Piece } from './piece.js';
import type { Sink } from './sink.js';

export type { Piece } from './piece.js';
export { CollectProblem } from './problem.js';
export { Sink } from './sink.js';
export { type RunChoice, type RunHistory, selectPieces } from './sources.js';

/** The formats collect assembles itself, and `cmd` (a user command). */
export const FORMATS = ['csv', 'tsv', 'jsonl', 'json', 'cmd'] as const;
export type Format = (typeof FORMATS)[number];

/** The format a file's name says: `.csv`, `.tsv`, `.jsonl` / `.ndjson`, `.json`; else none. */
export function formatOfFile(file: string): Exclude<Format, 'cmd'> | undefined {
  const m = /\.(csv|tsv|jsonl|ndjson|json)$/i.exec(file);
  if (!m) return undefined;
  const ext = m[1]!.toLowerCase();
  return ext === 'ndjson' ? 'jsonl' : (ext as Exclude<Format, 'cmd'>);
}

export function assemblerFor(format: Format, command: readonly string[]): Assembler {
  switch (format) {
    case 'csv':
      return new DelimitedAssembler(',');
    case 'tsv':
      return new DelimitedAssembler('\t');
    case 'jsonl':
      return new JsonLinesAssembler();
    case 'json':
      return new JsonArrayAssembler();
    case 'cmd':
      return new CommandAssembler(command);
  }
}

/**
 * Assembles the pieces into the sink, one file after the other. A problem (a CollectProblem)
 * is thrown as soon as it is found; the caller then abandons the sink, so `--out` is never
 * left half written.
 */
export function assemble(pieces: readonly Piece[], assembler: Assembler, sink: Sink): void {
  for (const p of pieces) assembler.add(p, sink);
  assembler.end(sink);
}
