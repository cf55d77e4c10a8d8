import type { Sink } from './sink.js';

/** One run's file of the node, in the order it is assembled. */
export interface Piece {
  /** The run whose id names the file (the run that started the attempt that wrote it). */
  readonly run: string;
  /** Absolute path. */
  readonly file: string;
  /** The path as the user sees it (relative to the working directory when inside it). */
  readonly shown: string;
}

/** Writes one format's dataset: the opening, each run's file in order, the closing. */
export interface Assembler {
  add(piece: Piece, sink: Sink): void;
  end(sink: Sink): void;
}
