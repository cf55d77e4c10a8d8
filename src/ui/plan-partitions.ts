import type { TaskGraph } from '../model/tasks.js';
import { formatDuration, formatMemory } from '../model/units.js';
import type { Cluster } from '../plan/cluster.js';
import type { TaskRequests } from '../plan/input.js';
import type { PartitionChoice } from '../plan/partition.js';

/** One node's row: the partition chosen, and the largest request of its tasks that it was chosen for. */
interface Row {
  readonly node: string;
  readonly partition: string;
  readonly cores: string;
  readonly memory: string;
  readonly walltime: string;
}

/**
 * The partition (or queue) each node goes to, with what it was chosen for: its largest task's
 * cores, memory and time limit. A node that fits nowhere shows `-` (its diagnostic says why).
 */
export function formatPartitions(
  cluster: Cluster,
  graph: TaskGraph,
  choices: ReadonlyMap<string, PartitionChoice>,
  requests: Required<TaskRequests>,
): string {
  const rows: Row[] = [];
  for (const nt of graph.nodes) {
    if (nt.count === 0) continue;
    const c = choices.get(nt.node.id);
    let cores = 0;
    let memory = 0;
    let limit = 0;
    for (let v = nt.first; v < nt.first + nt.count; v++) {
      const t = graph.tasks[v]!;
      cores = Math.max(cores, t.resources.cores);
      memory = Math.max(memory, requests.memory[v]!);
      limit = Math.max(limit, t.limit ?? requests.runtime[v]!);
    }
    rows.push({
      node: nt.node.id,
      partition: c?.ok ? `${c.partition.name}${c.named ? ' (named)' : ''}` : '-',
      cores: String(cores),
      memory: memory > 0 ? formatMemory(memory) : '-',
      walltime: limit > 0 ? formatDuration(limit) : '-',
    });
  }
  const what = cluster.scheduler === 'sge' ? 'queue' : 'partition';
  const head: Row = { node: 'node', partition: what, cores: 'cores', memory: 'memory', walltime: 'walltime' };
  const all = [head, ...rows];
  const w = (f: keyof Row) => Math.max(...all.map((r) => r[f].length));
  const [wn, wp, wc, wm] = [w('node'), w('partition'), w('cores'), w('memory')];
  const line = (r: Row) =>
    `  ${r.node.padEnd(wn)}  ${r.partition.padEnd(wp)}  ${r.cores.padStart(wc)}  ${r.memory.padEnd(wm)}  ${r.walltime}`.trimEnd();
  const title = `${what}s on ${cluster.name ?? 'the cluster'} (${cluster.scheduler}): ${cluster.partitions.map((p) => p.name).join(', ')}`;
  return `${[title, ...all.map(line)].join('\n')}\n`;
}
