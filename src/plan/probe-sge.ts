import { parseDuration } from '../model/units.js';
import type { Partition, Probed } from './cluster.js';

/** What `parseSge` reads: each command's output as text. */
export interface SgeOutput {
  /** `qconf -sql`: one queue name a line. */
  readonly queueList: string;
  /** `qconf -sq NAME` for each queue. */
  readonly queues: Readonly<Record<string, string>>;
  /** `qconf -se HOST` for each host the queues use. */
  readonly hosts: Readonly<Record<string, string>>;
  /** `qconf -shgrp @GROUP` for each host group the queues (or groups) name. */
  readonly hostGroups?: Readonly<Record<string, string>>;
}

/**
 * Reads Grid Engine's queue and host configuration into a cluster of queues. A queue's nodes
 * are the hosts of its hostlist; cores per node are its slots on each host (the smallest), memory
 * the host's consumable `h_vmem`/`mem_free` if set, else its `mem_total`, capped by the queue's
 * `h_vmem`; GPUs a `gpu` complex. Queues come in `seq_no` order, then `qconf -sql`'s.
 */
export function parseSge(out: SgeOutput, name?: string): Probed {
  const notes: string[] = [];
  const found: { p: Partition; seq: number; i: number }[] = [];
  const names = out.queueList
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  names.forEach((qname, i) => {
    const text = out.queues[qname];
    if (text === undefined) {
      notes.push(`queue ${qname}: no qconf -sq output, left out`);
      return;
    }
    const q = keyValues(text);
    const hosts = expandHosts(words(q.get('hostlist')), out.hostGroups ?? {}, notes);
    if (hosts.length === 0) {
      notes.push(`queue ${qname} has no hosts: left out`);
      return;
    }
    const slots = slotsOf(q.get('slots') ?? '1');
    const queueMem = sgeMemory(q.get('h_vmem'));
    const queueGpus = complexes(q.get('complex_values')).get('gpu');
    let cores = Number.POSITIVE_INFINITY;
    let memory = Number.POSITIVE_INFINITY;
    let gpus = Number.POSITIVE_INFINITY;
    let known = 0;
    for (const host of hosts) {
      cores = Math.min(cores, slots.get(host) ?? slots.get('') ?? 1);
      const h = out.hosts[host];
      if (h === undefined) {
        notes.push(`host ${host} of queue ${qname}: no qconf -se output, its memory is not known`);
        continue;
      }
      known++;
      const e = keyValues(h);
      const cx = complexes(e.get('complex_values'));
      const load = complexes(e.get('load_values'));
      const mem =
        sgeMemory(cx.get('h_vmem')) ?? sgeMemory(cx.get('mem_free')) ?? sgeMemory(load.get('mem_total'));
      if (mem !== undefined) memory = Math.min(memory, mem);
      gpus = Math.min(gpus, Number(queueGpus ?? cx.get('gpu') ?? 0) || 0);
    }
    if (known === 0 || !Number.isFinite(memory)) {
      notes.push(`queue ${qname}: the memory of its hosts is not known, left out`);
      return;
    }
    if (queueMem !== undefined) memory = Math.min(memory, queueMem);
    const walltime = sgeTime(q.get('h_rt'));
    const p: Partition = {
      name: q.get('qname') ?? qname,
      nodes: hosts.length,
      coresPerNode: cores,
      memoryPerNode: memory,
      gpusPerNode: Number.isFinite(gpus) ? gpus : 0,
      ...(walltime !== undefined ? { maxWalltime: walltime } : {}),
    };
    found.push({ p, seq: Number(q.get('seq_no') ?? 0) || 0, i });
  });
  found.sort((a, b) => a.seq - b.seq || a.i - b.i);
  return {
    cluster: { ...(name !== undefined ? { name } : {}), scheduler: 'sge', partitions: found.map((x) => x.p) },
    notes,
  };
}

/** `key   value` lines, with `\` continuations joined. */
function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const joined = text.replace(/\\\r?\n\s*/g, '');
  for (const line of joined.split('\n')) {
    const m = /^(\S+)\s+(.*?)\s*$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

function words(text: string | undefined): string[] {
  if (text === undefined || text === 'NONE') return [];
  return text.split(/[\s,]+/).filter((w) => w !== '' && w !== 'NONE');
}

function expandHosts(
  list: readonly string[],
  groups: Readonly<Record<string, string>>,
  notes: string[],
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (entry: string, depth: number) => {
    if (!entry.startsWith('@')) {
      if (!seen.has(entry)) {
        seen.add(entry);
        out.push(entry);
      }
      return;
    }
    const text = groups[entry];
    if (text === undefined || depth > 16) {
      notes.push(`host group ${entry}: no qconf -shgrp output, its hosts are left out`);
      return;
    }
    for (const w of words(keyValues(text).get('hostlist'))) visit(w, depth + 1);
  };
  for (const e of list) visit(e, 0);
  return out;
}

/** `2` or `1,[vm=2],[node2=4]`: the default under '' and each host's own. */
function slotsOf(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of text.split(/,(?![^[]*\])/)) {
    const m = /^\s*\[\s*([^=\s]+)\s*=\s*([0-9]+)\s*\]\s*$/.exec(part);
    if (m) out.set(m[1]!, Number(m[2]));
    else if (/^\s*[0-9]+\s*$/.test(part)) out.set('', Number(part));
  }
  return out;
}

/** `gpu=2,h_vmem=64G` and `load_values` lists. */
function complexes(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of words(text)) {
    const i = kv.indexOf('=');
    if (i > 0) out.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return out;
}

/**
 * A Grid Engine memory value in MiB, rounded down: `24105.027344M`, `23.540G`, `4G`; K/M/G/T
 * are binary, k/m/g/t decimal, a bare number is bytes. INFINITY and malformed: undefined.
 */
export function sgeMemory(text: string | undefined): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)([KMGTkmgt]?)$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const unit = m[2]!;
  const bytes: Record<string, number> = {
    '': 1,
    K: 1024,
    M: 1024 ** 2,
    G: 1024 ** 3,
    T: 1024 ** 4,
    k: 1e3,
    m: 1e6,
    g: 1e9,
    t: 1e12,
  };
  return Math.floor((Number(m[1]) * bytes[unit]!) / 1024 ** 2);
}

/** A Grid Engine time: INFINITY (undefined), seconds, or `[[HH:]MM:]SS`. */
export function sgeTime(text: string | undefined): number | undefined {
  const t = text?.trim() ?? '';
  if (t === '' || /^infinity$/i.test(t)) return undefined;
  if (/^[0-9]+$/.test(t)) return Number(t);
  return parseDuration(t);
}
