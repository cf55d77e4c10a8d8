import { parseDuration } from '../model/units.js';
import type { Partition, Probed } from './cluster.js';

/** The commands whose output `parseSlurm` reads, as argv after the program name. */
export const SCONTROL_ARGS = ['show', 'partition', '-o'] as const;
/** Partition, node count, CPUs, memory (MB), GRES, time limit: one line per node configuration. */
export const SINFO_ARGS = ['-h', '-o', '%R|%D|%c|%m|%G|%l'] as const;

/**
 * Reads `scontrol show partition -o` and, optionally, `sinfo -h -o '%R|%D|%c|%m|%G|%l'` into
 * a cluster. A partition whose nodes differ gets the smallest of each (what every node has);
 * MaxCPUsPerNode and MaxMemPerNode cap them. The default partition comes first, then the
 * others in scontrol's order; partitions that are not UP are left out, with a note.
 */
export function parseSlurm(scontrol: string, sinfo = '', name?: string): Probed {
  const notes: string[] = [];
  const lines = new Map<string, SinfoLine[]>();
  for (const raw of sinfo.split('\n')) {
    const line = sinfoLine(raw);
    if (!line) continue;
    const list = lines.get(line.partition);
    if (list) list.push(line);
    else lines.set(line.partition, [line]);
  }
  const found: { p: Partition; isDefault: boolean }[] = [];
  for (const raw of scontrol.split('\n')) {
    if (!raw.trim()) continue;
    const f = fields(raw);
    const pname = f.get('PartitionName');
    if (!pname) continue;
    const state = f.get('State') ?? 'UP';
    if (state !== 'UP') {
      notes.push(`partition ${pname} is ${state}: left out`);
      continue;
    }
    const node = perNode(f, lines.get(pname));
    if (!node) {
      notes.push(`partition ${pname} has no nodes: left out`);
      continue;
    }
    const maxCpus = count(f.get('MaxCPUsPerNode'));
    const maxMem = count(f.get('MaxMemPerNode'));
    const walltime = slurmTime(f.get('MaxTime')) ?? slurmTime(lines.get(pname)?.[0]?.timelimit);
    const maxNodes = count(f.get('MaxNodes'));
    const p: Partition = {
      name: pname,
      nodes: node.nodes,
      coresPerNode: maxCpus !== undefined ? Math.min(maxCpus, node.cores) : node.cores,
      memoryPerNode: maxMem !== undefined ? Math.min(maxMem, node.memory) : node.memory,
      gpusPerNode: node.gpus,
      ...(walltime !== undefined ? { maxWalltime: walltime } : {}),
      ...(maxNodes !== undefined && maxNodes < node.nodes ? { maxNodes } : {}),
    };
    if (node.mixed)
      notes.push(`partition ${pname} has nodes of different sizes: it is described by the smallest`);
    found.push({ p, isDefault: f.get('Default') === 'YES' });
  }
  const partitions = [...found.filter((x) => x.isDefault), ...found.filter((x) => !x.isDefault)].map(
    (x) => x.p,
  );
  return { cluster: { ...(name !== undefined ? { name } : {}), scheduler: 'slurm', partitions }, notes };
}

interface SinfoLine {
  readonly partition: string;
  readonly nodes: number;
  readonly cores: number;
  readonly memory: number;
  readonly gpus: number;
  readonly timelimit: string;
}

function sinfoLine(raw: string): SinfoLine | undefined {
  const parts = raw.trim().split('|');
  if (parts.length < 6) return undefined;
  const [partition, nodes, cores, memory, gres, timelimit] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const n = Number.parseInt(nodes, 10);
  const c = Number.parseInt(cores, 10); // "64+" when sinfo folds sizes together: the smallest
  const m = Number.parseInt(memory, 10);
  if (!partition || !Number.isFinite(n) || !Number.isFinite(c) || !Number.isFinite(m)) return undefined;
  return {
    partition: partition.replace(/\*$/, ''),
    nodes: n,
    cores: c,
    memory: m,
    gpus: gpusOf(gres),
    timelimit,
  };
}

/** GPUs in a GRES string: `gpu:4`, `gpu:a100:4(S:0-1)`, `gpu:2,mps:200`; `(null)` is none. */
export function gpusOf(gres: string): number {
  let n = 0;
  for (const m of gres.matchAll(/(?:^|,)gpu(?::[A-Za-z0-9_.-]+)?:([0-9]+)/g)) n += Number(m[1]);
  return n;
}

function perNode(
  f: Map<string, string>,
  lines: readonly SinfoLine[] | undefined,
): { nodes: number; cores: number; memory: number; gpus: number; mixed: boolean } | undefined {
  if (lines && lines.length > 0) {
    const nodes = lines.reduce((s, l) => s + l.nodes, 0);
    const min = (k: 'cores' | 'memory' | 'gpus') => Math.min(...lines.map((l) => l[k]));
    const mixed = lines.some(
      (l) => l.cores !== lines[0]!.cores || l.memory !== lines[0]!.memory || l.gpus !== lines[0]!.gpus,
    );
    return { nodes, cores: min('cores'), memory: min('memory'), gpus: min('gpus'), mixed };
  }
  // Without sinfo: the partition's totals (TRES=cpu=2,mem=22900M,node=1,gres/gpu=4) per node.
  const tres = new Map<string, string>();
  for (const kv of (f.get('TRES') ?? '').split(',')) {
    const i = kv.indexOf('=');
    if (i > 0) tres.set(kv.slice(0, i), kv.slice(i + 1));
  }
  const nodes = count(f.get('TotalNodes')) ?? count(tres.get('node'));
  if (!nodes) return undefined;
  const cpus = count(f.get('TotalCPUs')) ?? count(tres.get('cpu')) ?? 0;
  const mem = tresMemory(tres.get('mem'));
  const gpus = count(tres.get('gres/gpu')) ?? 0;
  return {
    nodes,
    cores: Math.floor(cpus / nodes),
    memory: Math.floor(mem / nodes),
    gpus: Math.floor(gpus / nodes),
    mixed: false,
  };
}

function tresMemory(text: string | undefined): number {
  const m = /^([0-9.]+)([KMGT]?)$/.exec(text ?? '');
  if (!m) return 0;
  const f: Record<string, number> = { '': 1, K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };
  return Math.floor(Number(m[1]) * f[m[2]!]!);
}

function fields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const token of line.trim().split(/\s+/)) {
    const i = token.indexOf('=');
    if (i > 0) out.set(token.slice(0, i), token.slice(i + 1));
  }
  return out;
}

function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]+$/.test(text)) return undefined; // UNLIMITED, N/A
  return Number(text);
}

/** A Slurm time: `UNLIMITED`/`infinite` (undefined), minutes, `MM:SS`, `HH:MM:SS`, `D-HH[:MM[:SS]]`. */
export function slurmTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^(unlimited|infinite|none|n\/a)$/i.test(t) || t === '') return undefined;
  if (/^[0-9]+$/.test(t)) return Number(t) * 60;
  return parseDuration(t);
}
