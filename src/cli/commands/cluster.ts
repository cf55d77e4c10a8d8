import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SchedulerType } from '../../model/campaign.js';
import { clusterToToml, type Probed } from '../../plan/cluster.js';
import { schedulerNames, schedulers } from '../../schedulers/index.js';
import type { ProbeCommand } from '../../schedulers/probe.js';
import { Exit, IoFailure, UsageError } from '../exit.js';
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

/** The schedulers that can be probed. */
const probing = schedulerNames.filter((n) => schedulers[n].probe !== undefined);

const command: ProbeCommand = (cmd, args) => {
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
    values.scheduler === undefined ? undefined : oneOf('scheduler', values.scheduler, probing, probing[0]!);
  if (values.out !== undefined && existsSync(values.out) && !values.force)
    throw new UsageError(`${values.out} exists; give --force to overwrite it`);
  const probed = await probe(sched, values.name, command);
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
    throw IoFailure.of('write', values.out, e);
  }
  const n = probed.cluster.partitions.length;
  const what = schedulers[probed.cluster.scheduler].placesIn ?? 'partition';
  out(
    `wrote ${values.out}: ${n} ${what}${n === 1 ? '' : 's'} (${probed.cluster.partitions.map((p) => p.name).join(', ')})\n`,
  );
  return Exit.ok;
}

/** The cluster from the scheduler named, or from the first that answers, in the registry's order. */
async function probe(
  sched: SchedulerType | undefined,
  name: string | undefined,
  run: ProbeCommand,
): Promise<Probed> {
  const why: string[] = [];
  for (const type of sched ? [sched] : probing) {
    const r = await schedulers[type].probe!(name, run);
    if (r.ok) return r.probed;
    if (sched) throw new IoFailure(`cannot probe ${type}: ${r.why}`);
    why.push(`${type}: ${r.why}`);
  }
  throw new IoFailure(`found no scheduler to probe (${why.join('; ')})`);
}
