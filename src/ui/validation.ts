import type { LocatedDiagnostic } from '../config/diagnostic.js';
import type { Loaded } from '../model/load.js';
import { diagnosticsJson } from './diagnostics.js';

/** `run.toml: ok (4 nodes, 1 group, 3 edges)`: what `validate` says of a valid file. */
export function validLine(file: string, loaded: Loaded): string {
  const groups = [...loaded.campaign.nodes.values()].filter((n) => n.kind === 'group').length;
  const nodes = loaded.graph.tasks.length;
  const edges = loaded.graph.dag.edgeCount;
  return `${file}: ok (${plural(nodes, 'node')}, ${plural(groups, 'group')}, ${plural(edges, 'edge')})\n`;
}

/** One file's result as `validate --json` gives it: its diagnostics, and counts when valid. */
export function validationEntry(
  file: string,
  ds: readonly LocatedDiagnostic[],
  loaded: Loaded | undefined,
): Record<string, unknown> {
  const body = JSON.parse(diagnosticsJson(ds)) as Record<string, unknown>;
  const counts = loaded ? { nodes: loaded.graph.tasks.length, edges: loaded.graph.dag.edgeCount } : {};
  return { file, ...body, ...counts };
}

/** A file that could not be read, as `validate --json` gives it. */
export function unreadableEntry(file: string, message: string): Record<string, unknown> {
  return {
    file,
    ok: false,
    errors: 1,
    warnings: 0,
    diagnostics: [{ severity: 'error', code: 'unreadable', message }],
  };
}

/** The entries of every file: one object for one file, a list for several. */
export function validationJson(entries: readonly unknown[]): string {
  return `${JSON.stringify(entries.length === 1 ? entries[0] : entries, null, 2)}\n`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
