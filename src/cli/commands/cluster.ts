import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { clusterToToml, type Probed } from '../../plan/cluster.js';
import { parseSge } from '../../plan/probe-sge.js';
import { parseSlurm, SCONTROL_ARGS, SINFO_ARGS } from '../../plan/probe-slurm.js';
import { Exit, UsageError } from '../exit.js';
import { err, out } from '../io.js';
import { helpOption, oneOf, parse } from '../options.js';

export const usage = `Usage: campaign cluster probe [--scheduler slurm|sge] [--name NAME] [--out FILE] [--force]

Asks the live scheduler for its partitions (Slurm: scontrol show partition, sinfo) or queues
(Grid Engine: qconf -sql, -sq, -sel, -se, -shgrpl, -shgrp) and writes them as a cluster
description: node count, cores, memory and GPUs per node, max walltime, in the order the
scheduler prefers them. Per-user limits are site policy the probe does not read: add them
to the file. Without --out it prints the description; notes on what it left out go to stderr.

  --scheduler S  slurm or sge (default: slurm when scontrol answers, else sge)
  --name NAME    the cluster's name in the file
  --out FILE     write the description there (for cluster = "FILE" in campaign files)
  --force        overwrite FILE if it exists

Examples:
  campaign cluster probe --out clusters/site.toml
  campaign cluster probe --scheduler sge --name lab`;

/** Runs one scheduler command (argv, never a shell); its output, or why it gave none. */
type Command = (
  cmd: string,
  args: readonly string[],
) => { ok: true; text: string } | { ok: false; why: string };

const command: Command = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? `${cmd} is not on PATH` : r.error.message };
  }
  if (r.status !== 0) {
    const msg = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    return { ok: false, why: `${cmd} ${args.join(' ')} exited ${r.status}${msg ? `: ${msg}` : ''}` };
  }
  return { ok: true, text: r.stdout };
};

export async function cluster(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...helpOption,
      scheduler: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals[0] !== 'probe' || positionals.length > 1)
    throw new UsageError(`cluster takes one subcommand, probe\n\n${usage}`);
  const sched =
    values.scheduler === undefined
      ? undefined
      : oneOf('scheduler', values.scheduler, ['slurm', 'sge'] as const, 'slurm');
  if (values.out !== undefined && existsSync(values.out) && !values.force)
    throw new UsageError(`${values.out} exists; give --force to overwrite it`);
  const probed = probe(sched, values.name, command);
  for (const note of probed.notes) err(`note: ${note}\n`);
  const toml = clusterToToml(probed.cluster);
  if (values.out === undefined) {
    out(toml);
    return Exit.ok;
  }
  try {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, toml);
  } catch (e) {
    throw new UsageError(`cannot write ${values.out}: ${(e as Error).message}`, Exit.failed);
  }
  const n = probed.cluster.partitions.length;
  const what = probed.cluster.scheduler === 'sge' ? 'queue' : 'partition';
  out(
    `wrote ${values.out}: ${n} ${what}${n === 1 ? '' : 's'} (${probed.cluster.partitions.map((p) => p.name).join(', ')})\n`,
  );
  return Exit.ok;
}

/** The cluster from the scheduler named, or the first that answers. */
function probe(sched: 'slurm' | 'sge' | undefined, name: string | undefined, run: Command): Probed {
  if (sched !== 'sge') {
    const scontrol = run('scontrol', SCONTROL_ARGS);
    if (scontrol.ok) {
      const sinfo = run('sinfo', SINFO_ARGS);
      const probed = parseSlurm(scontrol.text, sinfo.ok ? sinfo.text : '', name);
      return sinfo.ok ? probed : { ...probed, notes: [...probed.notes, `sinfo gave nothing: ${sinfo.why}`] };
    }
    if (sched === 'slurm') throw new UsageError(`cannot probe Slurm: ${scontrol.why}`, Exit.failed);
  }
  const list = run('qconf', ['-sql']);
  if (!list.ok) {
    throw new UsageError(
      sched === 'sge'
        ? `cannot probe Grid Engine: ${list.why}`
        : `found no scheduler to probe: scontrol and qconf did not answer (${list.why})`,
      Exit.failed,
    );
  }
  const queues: Record<string, string> = {};
  for (const q of lines(list.text)) {
    const r = run('qconf', ['-sq', q]);
    if (r.ok) queues[q] = r.text;
  }
  const hosts: Record<string, string> = {};
  const hostList = run('qconf', ['-sel']);
  for (const h of hostList.ok ? lines(hostList.text) : []) {
    const r = run('qconf', ['-se', h]);
    if (r.ok) hosts[h] = r.text;
  }
  // `qconf -shgrpl` exits 1 when there are no host groups: none to read.
  const hostGroups: Record<string, string> = {};
  const groupList = run('qconf', ['-shgrpl']);
  for (const g of groupList.ok ? lines(groupList.text) : []) {
    const r = run('qconf', ['-shgrp', g]);
    if (r.ok) hostGroups[g] = r.text;
  }
  return parseSge({ queueList: list.text, queues, hosts, hostGroups }, name);
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
