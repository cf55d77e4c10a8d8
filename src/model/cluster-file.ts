import { dirname, join, resolve } from 'node:path';
import { type Diagnostic, type DocPath, diag } from '../config/diagnostic.js';
import { isTable } from '../config/interpolate.js';
import { Locator } from '../config/locate.js';
import { type Parsed, parseSource } from '../config/parse.js';
import { readSource, type Source } from '../config/source.js';
import { type Cluster, parseCluster } from '../plan/cluster.js';
import type { Campaign } from './campaign.js';

/** A campaign's cluster, and where it is written: positions for problems found against it. */
export interface ClusterIn {
  readonly cluster: Cluster;
  /** Index of the source that holds it: 0 the campaign file, 1 a cluster file. */
  readonly source: number;
  /** Document path of the cluster's table in that source. */
  readonly at: DocPath;
}

/** The cluster, and a locator over the campaign file and the cluster file for later diagnostics. */
export type ClusterRead =
  | { readonly ok: true; readonly value?: ClusterIn; readonly locator: Locator }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly locator: Locator };

/**
 * Reads the campaign's cluster: `[campaign.cluster]` as the front end parsed it, or the file
 * that `cluster = "clusters/NAME.toml"` names (relative to the campaign file), whose `[cluster]`
 * table is checked with every problem at its key in that file. `shownAs` is the campaign file as
 * the user wrote it, so that the cluster file is shown relative to it.
 */
export function readCluster(campaign: Campaign, shownAs: string): ClusterRead {
  const own = readSource(shownAs);
  const sources: Source[] = own.ok ? [own.source] : [{ name: shownAs, text: '', format: 'toml' }];
  const parsedBy = new Map<number, Parsed>();
  const locator = () => new Locator(sources, parsedBy);
  const ref = campaign.cluster;
  if (!ref) return { ok: true, locator: locator() };
  if (ref.kind === 'inline')
    return { ok: true, value: { cluster: ref.cluster, source: 0, at: ref.at }, locator: locator() };
  const where = { path: ref.at, part: 'value' as const };
  const name = join(dirname(shownAs), ref.path);
  const read = readSource(resolve(campaign.dir, ref.path));
  if (!read.ok) {
    const why = read.message.replace(/^cannot read [^:]*: /, '');
    return {
      ok: false,
      diagnostics: [diag('bad-cluster', `cannot read the cluster file ${name}: ${why}`, where)],
      locator: locator(),
    };
  }
  sources.push({ ...read.source, name });
  const parsed = parseSource(sources[1]!, 1);
  if (!parsed.ok) {
    // Syntax errors carry their position in the cluster file (source 1).
    return { ok: false, diagnostics: parsed.diagnostics, locator: locator() };
  }
  parsedBy.set(1, parsed.parsed);
  const data = parsed.parsed.data;
  const inFile = (d: Diagnostic): Diagnostic => (d.where ? { ...d, where: { ...d.where, source: 1 } } : d);
  if (!isTable(data.cluster)) {
    return {
      ok: false,
      diagnostics: [
        diag('bad-cluster', `the cluster file ${name} has no [cluster] table`, where, {
          suggestion: "write one with 'campaign cluster probe --out FILE', or see docs/planning.md",
        }),
      ],
      locator: locator(),
    };
  }
  const cluster = parseCluster(data.cluster, ['cluster']);
  if (!cluster.ok) return { ok: false, diagnostics: cluster.errors.map(inFile), locator: locator() };
  return { ok: true, value: { cluster: cluster.value, source: 1, at: ['cluster'] }, locator: locator() };
}
