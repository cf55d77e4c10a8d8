import { describeFanout } from '../model/expand/describe.js';
import type { ExpansionReport } from '../model/expand/index.js';
import { rejectedText } from '../model/expand/scope.js';
import { valueText } from '../model/expand/template.js';
import type { NodeTasks, TaskSpec } from '../model/tasks.js';

/** The fan-outs `expand` shows: the scopes chosen and the nodes that fan out over them. */
export interface ExpansionView {
  readonly scopes: ExpansionReport['scopes'];
  readonly nodes: readonly NodeTasks[];
}

/** Output goes out in pieces through `write`: a million instances are never one string. */
type Write = (text: string) => void;

/** `basin=EP draw=3`; a table's fields one level down: `properties.HucName=Lochsa River`. */
function valuesText(record: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const add = (k: string, v: unknown) => {
    const text = valueText(v);
    parts.push(`${k}=${text.length > 48 ? `${text.slice(0, 47)}…` : text}`);
  };
  for (const [k, v] of Object.entries(record)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) add(`${k}.${k2}`, v2);
    } else add(k, v);
  }
  return parts.join(' ');
}

/** Every instance with its id and values, the rejected items and why, and the counts. */
export function writeExpansionText(c: ExpansionView, write: Write): void {
  const out = { push: (line: string) => write(`${line}\n`) };
  let instances = 0;
  let rejected = 0;
  for (const { table, result } of c.scopes) {
    const set = result.set;
    out.push(
      `${table.id}: ${set ? describeFanout(table.fanout, set, table.workflow) : 'could not be expanded'}`,
    );
    if (!set) {
      out.push('');
      continue;
    }
    const bad = new Map(result.rejected.map((r) => [r.index, r]));
    const iw = String(Math.max(0, set.count - 1)).length;
    let idw = 0;
    for (let i = 0; i < set.count; i++) if (!bad.has(i)) idw = Math.max(idw, set.id(i).length);
    idw = Math.max(idw, 'rejected'.length);
    for (let i = 0; i < set.count; i++) {
      const r = bad.get(i);
      const index = String(i).padStart(iw);
      if (r)
        out.push(`  ${index}  ${'rejected'.padEnd(idw)}  ${rejectedText(r).replace(/^item [0-9]+ /, '')}`);
      else out.push(`  ${index}  ${set.id(i).padEnd(idw)}  ${valuesText(set.record(i))}`);
    }
    const ok = set.count - result.rejected.length;
    instances += ok;
    rejected += result.rejected.length;
    out.push(
      `  ${plural(set.count, 'item')}: ${plural(ok, 'instance')}${result.rejected.length > 0 ? `, ${result.rejected.length} rejected` : ''}`,
    );
    for (const nt of c.nodes) {
      if (!nt.fanout?.instances.scopes.includes(set)) continue;
      out.push(`  ${nodeLine(nt)}`);
    }
    out.push('');
  }
  const tasks = c.nodes.reduce((n, nt) => n + nt.count, 0);
  // With items rejected there are no tasks yet: the counts would mislead.
  const outcome = rejected > 0 ? `, ${rejected} rejected` : `; ${plural(tasks, 'task')}`;
  out.push(`${plural(c.scopes.length, 'fan-out')}: ${plural(instances, 'instance')}${outcome}`);
}

function nodeLine(nt: NodeTasks): string {
  const f = nt.fanout!;
  const parts = [`${nt.node.id}: ${plural(nt.count, 'task')}`];
  if (f.spread) parts.push(`of ${f.spread.describe()} items`);
  if (f.skipped > 0) {
    const kept = new Set(Array.from(f.kept));
    const complete: string[] = [];
    for (let i = 0; i < f.instances.count && complete.length < 5; i++)
      if (!kept.has(i)) complete.push(f.instances.id(i));
    parts.push(
      `(${f.skipped} complete, left out: ${complete.join(', ')}${f.skipped > complete.length ? ', …' : ''})`,
    );
  }
  return parts.join(' ');
}

/** JSON, one instance per line. */
export function writeExpansionJson(c: ExpansionView, write: Write): void {
  write('{\n  "fanouts": [');
  c.scopes.forEach(({ table, result }, n) => {
    const set = result.set;
    const head = {
      table: table.id,
      ...(set ? { source: describeFanout(table.fanout, set, table.workflow), items: set.count } : {}),
      ids: result.idSource,
    };
    write(`${n > 0 ? ',' : ''}\n    ${JSON.stringify(head).slice(0, -1)}, "instances": [`);
    const bad = new Set(result.rejected.map((r) => r.index));
    let first = true;
    for (let i = 0; set && i < set.count; i++) {
      if (bad.has(i)) continue;
      const instance = { index: i, id: set.id(i), values: set.record(i), ...originOf(set.origin(i)) };
      write(`${first ? '' : ','}\n      ${JSON.stringify(instance)}`);
      first = false;
    }
    const rejected = result.rejected.map((r) => ({
      index: r.index,
      ...(r.id !== undefined ? { id: r.id } : {}),
      ...originOf(r.origin),
      code: r.code,
      reason: r.reason,
    }));
    write(`\n    ], "rejected": ${JSON.stringify(rejected)}}`);
  });
  const nodes = c.nodes
    .filter((nt) => nt.fanout)
    .map((nt) => {
      const f = nt.fanout!;
      const kept = new Set(Array.from(f.kept));
      const complete: string[] = [];
      if (f.skipped > 0)
        for (let i = 0; i < f.instances.count; i++) if (!kept.has(i)) complete.push(f.instances.id(i));
      return {
        node: nt.node.id,
        instances: f.instances.count,
        tasks: nt.count,
        ...(f.spread ? { chunk: f.spread.size } : {}),
        complete,
      };
    });
  write(`\n  ],\n  "nodes": [${nodes.map((x) => `\n    ${JSON.stringify(x)}`).join(',')}\n  ]\n}\n`);
}

function originOf(o: string | undefined): { origin?: string } {
  return o ? { origin: o } : {};
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * The task assignments as CSV: one row per task and item, with the task's id, its index
 * (`{index}`, $CAMPAIGN_TASK_INDEX), the item's instance id and its values, one column per key.
 * Only tasks that will run are listed: items `skip_complete` left out are in no task.
 */
export function writeAssignmentsCsv(c: ExpansionView, tasks: readonly TaskSpec[], write: Write): void {
  const fanned = c.nodes.filter((nt) => nt.fanout);
  const keys: string[] = [];
  for (const nt of fanned) {
    const f = nt.fanout!;
    if (f.instances.count === 0) continue;
    for (const k of Object.keys(f.instances.record(0))) if (!keys.includes(k)) keys.push(k);
  }
  write(`${['task_id', 'task_index', 'item', ...keys].map(csvField).join(',')}\n`);
  for (const nt of fanned) {
    const f = nt.fanout!;
    for (let k = 0; k < nt.count; k++) {
      const head = `${csvField(tasks[nt.first + k]!.id)},${k}`;
      const [from, to] = f.spread ? [f.spread.start(k), f.spread.end(k)] : [k, k + 1];
      for (let p = from; p < to; p++) {
        const i = f.kept[p]!;
        const record = f.instances.record(i);
        const values = keys.map((key) => (key in record ? csvField(valueText(record[key])) : ''));
        write(`${[head, csvField(f.instances.id(i)), ...values].join(',')}\n`);
      }
    }
  }
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
