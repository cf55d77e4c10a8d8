import { type Diagnostic, type DocPath, diag, type Where } from '../config/diagnostic.js';
import type { NodeSpec } from '../model/campaign.js';
import type { Cluster } from './cluster.js';
import type { Exceeded, Misfit, PartitionChoice } from './partition.js';

/** Where the cluster is written: the source (0 the campaign file, 1 a cluster file) and its table. */
export interface ClusterAt {
  readonly source: number;
  readonly at: DocPath;
}

/** The request key a limit is about: where the diagnostic about a misfit points. */
const REQUEST_KEY: Record<Exceeded['limit'], string> = {
  cores: 'cores',
  'user-cores': 'cores',
  memory: 'memory',
  gpus: 'gpus',
  walltime: 'runtime',
  nodes: 'nodes',
};

/** The partition key a limit is read from: where each misfit's note points. */
const PARTITION_KEY: Record<Exceeded['limit'], readonly string[]> = {
  cores: ['cores_per_node'],
  'user-cores': ['per_user', 'max_cores'],
  memory: ['memory_per_node'],
  gpus: ['gpus_per_node'],
  walltime: ['max_walltime'],
  nodes: ['nodes'],
};

/**
 * Each node's partition choice as diagnostics: a partition the cluster does not have, at the
 * `partition` (or `queue`) that names it, with the nearest name; a node that fits no partition
 * (or not the one it names) at its request's first exceeded value, with one note per partition
 * that says which limits it exceeds, at that partition's limit.
 */
export function partitionDiagnostics(
  nodes: ReadonlyMap<string, NodeSpec>,
  choices: ReadonlyMap<string, PartitionChoice>,
  cluster: Cluster,
  where: ClusterAt,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const list = cluster.scheduler === 'sge' ? 'queues' : 'partitions';
  const index = new Map(cluster.partitions.map((p, i) => [p.name, i]));
  const what = cluster.scheduler === 'sge' ? 'queue' : 'partition';
  for (const [id, choice] of choices) {
    if (choice.ok) continue;
    const node = nodes.get(id);
    if (!node) continue;
    if (choice.reason === 'unknown-partition') {
      const at = node.partitionAt ?? [...node.docPath, 'scheduler'];
      out.push(
        diag(
          'unknown-partition',
          `the cluster has no ${what} \`${choice.name}\` (it has ${cluster.partitions.map((p) => p.name).join(', ')})`,
          { path: at, part: 'value' },
          choice.suggestion ? { suggestion: choice.suggestion } : {},
        ),
      );
      continue;
    }
    const key = mostExceeded(choice.misfits);
    const origin = key ? node.resources.origins[key] : undefined;
    const at: Where = origin ? { path: origin, part: 'value' } : { path: node.docPath, part: 'key' };
    const note = (m: Misfit) => {
      const i = index.get(m.partition);
      const limit = m.exceeded[0]?.limit;
      const path =
        i === undefined ? where.at : [...where.at, list, i, ...(limit ? PARTITION_KEY[limit] : ['name'])];
      return { message: m.line, where: { source: where.source, path, part: 'value' as const } };
    };
    const message =
      choice.reason === 'does-not-fit'
        ? `\`${id}\` does not fit the ${what} it names, \`${choice.misfits[0]?.partition}\``
        : `\`${id}\` fits no ${what} of the cluster`;
    out.push(
      diag('fits-no-partition', message, at, {
        related: choice.misfits.map(note),
        suggestion:
          choice.reason === 'does-not-fit'
            ? `ask for less, or name another ${what}`
            : `ask for less, or add a ${what} that has room for it to the cluster`,
      }),
    );
  }
  return out;
}

/** The request key exceeded in the most partitions (the first such): what to point at. */
function mostExceeded(misfits: readonly Misfit[]): string | undefined {
  const count = new Map<string, number>();
  let best: string | undefined;
  for (const m of misfits) {
    for (const e of m.exceeded) {
      const key = REQUEST_KEY[e.limit];
      const n = (count.get(key) ?? 0) + 1;
      count.set(key, n);
      if (best === undefined || n > count.get(best)!) best = key;
    }
  }
  return best;
}
