import type { Probed } from '../plan/cluster.js';

/** Runs one scheduler command (argv, never a shell); its output, or why it gave none. */
export type ProbeCommand = (
  cmd: string,
  args: readonly string[],
) => { ok: true; text: string } | { ok: false; why: string };

/** What probing one scheduler gave: its cluster description, or why it could not be asked. */
export type ProbeResult = { ok: true; probed: Probed } | { ok: false; why: string };

/** Asks a live scheduler for its partitions or queues (`campaign cluster probe`). */
export type ClusterProbe = (name: string | undefined, run: ProbeCommand) => ProbeResult;
