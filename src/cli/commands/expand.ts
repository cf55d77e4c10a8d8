import picomatch from 'picomatch';
import { describeFanout } from '../../model/expand/describe.js';
import type { ExpansionReport } from '../../model/expand/index.js';
import { rejectedText } from '../../model/expand/scope.js';
import { valueText } from '../../model/expand/template.js';
import { loadCampaign } from '../../model/load.js';
import type { NodeTasks } from '../../model/tasks.js';
import { Exit, UsageError } from '../exit.js';
import { err, out } from '../io.js';
import { printDiagnostics } from '../load.js';
import { campaignOptions, oneOf, parse } from '../options.js';

export const usage = `Usage: campaign expand FILE [NODE] [--format text|json] [--set path=value]...

Expands the fan-outs (matrix, zip, foreach, workflow types) and shows every instance with its
id and values, the items rejected and why (a missing value, an unsafe or duplicate id), the
items skip_complete leaves out, and the counts of instances and tasks. NODE (a path or glob)
limits it to the fan-outs of that node or group. Exit 2 when an item is rejected.

Examples:
  campaign expand campaigns/weppcloud-batch/campaign.toml
  campaign expand campaigns/tc-risk/campaign.toml level4 --set vars.ndraws=10
  campaign expand run.toml --format json | jq '.fanouts[].rejected'`;

export async function expand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...campaignOptions, format: { type: 'string' } }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const [file, node] = positionals;
  if (!file || positionals.length > 2)
    throw new UsageError(`expand needs a FILE, and at most one NODE\n\n${usage}`);
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  let report: ExpansionReport | undefined;
  const r = await loadCampaign(file, { overrides: values.set ?? [], onExpansion: (x) => (report = x) });
  if (!r.ok && r.fatal) throw new UsageError(r.fatal);
  const diagnostics = r.ok ? r.value.diagnostics : r.diagnostics;
  if (!report) {
    // The campaign failed before expansion (syntax, schema, dependencies): nothing to show.
    printDiagnostics(diagnostics, { file, format });
    throw new UsageError('', Exit.usage);
  }
  const chosen = select(report, node);
  if (chosen.scopes.length === 0) {
    throw new UsageError(node ? `no fan-out matches '${node}'` : `${file} has no fan-out`);
  }
  const w = writer();
  if (format === 'json') writeJson(chosen, w.write);
  else writeText(chosen, w.write);
  w.flush();
  if (format === 'text' && diagnostics.length > 0) err('\n');
  if (format === 'text' && diagnostics.length > 0) printDiagnostics(diagnostics, { file });
  return r.ok ? Exit.ok : Exit.usage;
}

/** Output in pieces of about 64 KiB: a million instances are never one string. */
function writer(): { write: (text: string) => void; flush: () => void } {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    out(parts.join(''));
    parts = [];
    size = 0;
  };
  return {
    write: (text) => {
      parts.push(text);
      size += text.length;
      if (size > 65_536) flush();
    },
    flush,
  };
}

interface Chosen {
  readonly scopes: ExpansionReport['scopes'];
  readonly nodes: readonly NodeTasks[];
}

function select(report: ExpansionReport, pattern: string | undefined): Chosen {
  if (!pattern) return { scopes: report.scopes, nodes: report.nodes };
  const glob = picomatch(pattern, { dot: true });
  const hits = (id: string) => glob(id) || id.startsWith(`${pattern}.`);
  const scopes = report.scopes.filter((s) => hits(s.table.id) || pattern.startsWith(`${s.table.id}.`));
  const nodes = report.nodes.filter(
    (nt) => hits(nt.node.id) || scopes.some((s) => nt.node.id.startsWith(`${s.table.id}.`)),
  );
  return { scopes, nodes };
}

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

function writeText(c: Chosen, write: (text: string) => void): void {
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
function writeJson(c: Chosen, write: (text: string) => void): void {
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
