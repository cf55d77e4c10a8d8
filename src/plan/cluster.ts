import type { DocPath } from '../config/diagnostic.js';
import { formatDuration, formatMemory, parseDuration, parseMemory } from '../model/units.js';
import { badValue, fail, isTable, type Parsed, shown, unknownKeys } from './parsed.js';

/** A Slurm partition or a Grid Engine queue: identical nodes, and the limits of one job. */
export interface Partition {
  readonly name: string;
  readonly nodes: number;
  readonly coresPerNode: number;
  /** MiB. */
  readonly memoryPerNode: number;
  readonly gpusPerNode: number;
  /** Seconds; absent when unlimited. */
  readonly maxWalltime?: number;
  /** Most nodes one job may have; absent: all of them. */
  readonly maxNodes?: number;
  readonly perUser?: UserLimits;
}

/** What one user may have at once in a partition. */
export interface UserLimits {
  readonly maxJobs?: number;
  readonly maxCores?: number;
}

/** A cluster: its partitions (queues), in the order they are preferred. */
export interface Cluster {
  readonly name?: string;
  readonly scheduler: 'slurm' | 'sge';
  readonly partitions: readonly Partition[];
}

/** A cluster read from the scheduler's own commands, and what the probe left out or could not tell. */
export interface Probed {
  readonly cluster: Cluster;
  readonly notes: readonly string[];
}

const CLUSTER_KEYS = ['name', 'scheduler', 'partitions', 'queues'] as const;
const PARTITION_KEYS = [
  'name',
  'nodes',
  'cores_per_node',
  'memory_per_node',
  'gpus_per_node',
  'max_walltime',
  'max_nodes',
  'per_user',
] as const;
const USER_KEYS = ['max_jobs', 'max_cores'] as const;
const UNLIMITED = /^(unlimited|infinite|infinity|none)$/i;

/**
 * Reads a cluster description from a plain object (`[campaign.cluster]`, or the `[cluster]`
 * table of `clusters/NAME.toml`) found at `at`. Every problem is reported, each with its path.
 */
export function parseCluster(value: unknown, at: DocPath): Parsed<Cluster> {
  if (!isTable(value)) return fail([badValue('bad-cluster', 'a cluster must be a table', at)]);
  const errors = unknownKeys(value, CLUSTER_KEYS, at, 'the cluster');
  const scheduler = value.scheduler ?? (value.queues !== undefined ? 'sge' : 'slurm');
  if (scheduler !== 'slurm' && scheduler !== 'sge') {
    errors.push(
      badValue('bad-cluster', `\`scheduler\` must be "slurm" or "sge", not ${shown(scheduler)}`, [
        ...at,
        'scheduler',
      ]),
    );
  }
  if (value.name !== undefined && typeof value.name !== 'string') {
    errors.push(badValue('bad-cluster', '`name` must be a string', [...at, 'name']));
  }
  if (value.partitions !== undefined && value.queues !== undefined) {
    errors.push(
      badValue('bad-cluster', 'give `partitions` (Slurm) or `queues` (Grid Engine), not both', [
        ...at,
        'queues',
      ]),
    );
  }
  const listKey = value.partitions !== undefined ? 'partitions' : 'queues';
  const list = value[listKey];
  const partitions: Partition[] = [];
  if (!Array.isArray(list) || list.length === 0) {
    errors.push(
      badValue(
        'bad-cluster',
        `a cluster needs at least one partition: [[${'cluster'}.partitions]] with name, nodes, cores_per_node, memory_per_node`,
        list === undefined ? at : [...at, listKey],
      ),
    );
  } else {
    const seen = new Map<string, number>();
    list.forEach((p: unknown, i) => {
      const parsed = parsePartition(p, [...at, listKey, i]);
      if (!parsed.ok) errors.push(...parsed.errors);
      else {
        const first = seen.get(parsed.value.name);
        if (first !== undefined) {
          errors.push(
            badValue(
              'bad-cluster',
              `partition \`${parsed.value.name}\` is listed twice (first at ${first})`,
              [...at, listKey, i, 'name'],
            ),
          );
        }
        seen.set(parsed.value.name, i);
        partitions.push(parsed.value);
      }
    });
  }
  if (errors.length > 0) return fail(errors);
  const cluster: Cluster = {
    ...(typeof value.name === 'string' ? { name: value.name } : {}),
    scheduler: scheduler as Cluster['scheduler'],
    partitions,
  };
  return { ok: true, value: cluster };
}

function parsePartition(value: unknown, at: DocPath): Parsed<Partition> {
  if (!isTable(value)) return fail([badValue('bad-cluster', 'a partition must be a table', at)]);
  const errors = unknownKeys(value, PARTITION_KEYS, at, 'a partition');
  const count = (key: string, min: number, required: boolean): number | undefined => {
    const v = value[key];
    if (v === undefined) {
      if (required) errors.push(badValue('bad-cluster', `a partition needs \`${key}\``, at));
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      errors.push(
        badValue('bad-cluster', `\`${key}\` must be a whole number of at least ${min}, not ${shown(v)}`, [
          ...at,
          key,
        ]),
      );
      return undefined;
    }
    return v;
  };
  const name = value.name;
  if (typeof name !== 'string' || name === '') {
    errors.push(
      badValue('bad-cluster', 'a partition needs a `name`', name === undefined ? at : [...at, 'name']),
    );
  }
  const nodes = count('nodes', 1, true);
  const cores = count('cores_per_node', 1, true);
  const gpus = count('gpus_per_node', 0, false) ?? 0;
  const maxNodes = count('max_nodes', 1, false);
  let memory: number | undefined;
  if (value.memory_per_node === undefined)
    errors.push(badValue('bad-cluster', 'a partition needs `memory_per_node`', at));
  else {
    memory = typeof value.memory_per_node === 'string' ? parseMemory(value.memory_per_node) : undefined;
    if (memory === undefined) {
      errors.push(
        badValue(
          'bad-cluster',
          `\`memory_per_node\` must be a memory size with a unit ("256G"), not ${shown(value.memory_per_node)}`,
          [...at, 'memory_per_node'],
        ),
      );
    }
  }
  let walltime: number | undefined;
  const w = value.max_walltime;
  if (w !== undefined && !(typeof w === 'string' && UNLIMITED.test(w.trim()))) {
    walltime = typeof w === 'string' ? parseDuration(w) : undefined;
    if (walltime === undefined) {
      errors.push(
        badValue(
          'bad-cluster',
          `\`max_walltime\` must be a duration ("2d", "48:00:00") or "unlimited", not ${shown(w)}`,
          [...at, 'max_walltime'],
        ),
      );
    }
  }
  let perUser: UserLimits | undefined;
  if (value.per_user !== undefined) {
    const u = value.per_user;
    const uat = [...at, 'per_user'];
    if (!isTable(u))
      errors.push(badValue('bad-cluster', '`per_user` must be a table { max_jobs, max_cores }', uat));
    else {
      errors.push(...unknownKeys(u, USER_KEYS, uat, 'per_user'));
      const limits: { maxJobs?: number; maxCores?: number } = {};
      for (const [key, field] of [
        ['max_jobs', 'maxJobs'],
        ['max_cores', 'maxCores'],
      ] as const) {
        const v = u[key];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
          errors.push(
            badValue('bad-cluster', `\`${key}\` must be a whole number of at least 1, not ${shown(v)}`, [
              ...uat,
              key,
            ]),
          );
        } else limits[field] = v;
      }
      perUser = limits;
    }
  }
  if (errors.length > 0) return fail(errors);
  return {
    ok: true,
    value: {
      name: name as string,
      nodes: nodes!,
      coresPerNode: cores!,
      memoryPerNode: memory!,
      gpusPerNode: gpus,
      ...(walltime !== undefined ? { maxWalltime: walltime } : {}),
      ...(maxNodes !== undefined ? { maxNodes } : {}),
      ...(perUser && Object.keys(perUser).length > 0 ? { perUser } : {}),
    },
  };
}

/**
 * The cluster as TOML under `table` (`cluster` for a `clusters/NAME.toml` file,
 * `campaign.cluster` inside a campaign file); `parseCluster` reads it back unchanged.
 */
export function clusterToToml(cluster: Cluster, table = 'cluster'): string {
  const list = cluster.scheduler === 'sge' ? 'queues' : 'partitions';
  const out: string[] = [`[${table}]`];
  if (cluster.name !== undefined) out.push(`name = ${JSON.stringify(cluster.name)}`);
  out.push(`scheduler = "${cluster.scheduler}"`);
  for (const p of cluster.partitions) {
    out.push('', `[[${table}.${list}]]`);
    out.push(`name = ${JSON.stringify(p.name)}`);
    out.push(`nodes = ${p.nodes}`);
    out.push(`cores_per_node = ${p.coresPerNode}`);
    out.push(`memory_per_node = "${formatMemory(p.memoryPerNode)}"`);
    out.push(`gpus_per_node = ${p.gpusPerNode}`);
    out.push(`max_walltime = "${p.maxWalltime !== undefined ? formatDuration(p.maxWalltime) : 'unlimited'}"`);
    if (p.maxNodes !== undefined) out.push(`max_nodes = ${p.maxNodes}`);
    const u = p.perUser;
    if (u && (u.maxJobs !== undefined || u.maxCores !== undefined)) {
      const parts = [
        ...(u.maxJobs !== undefined ? [`max_jobs = ${u.maxJobs}`] : []),
        ...(u.maxCores !== undefined ? [`max_cores = ${u.maxCores}`] : []),
      ];
      out.push(`per_user = { ${parts.join(', ')} }`);
    }
  }
  return `${out.join('\n')}\n`;
}
