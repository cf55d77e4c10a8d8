import type { Resources, SchedulerOptions } from '../../model/campaign.js';
import { directiveValue, patternLiteral } from './quote.js';

/** Everything that must be equal for submissions to share one job array. */
export interface Request {
  readonly resources: Resources;
  readonly options: SchedulerOptions;
  /** Wall-clock limit in seconds. */
  readonly limit?: number;
}

/** Seconds as Slurm's `D-HH:MM:SS`, rounded up to whole minutes (Slurm's own granularity). */
export function slurmDuration(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d}-${two(h)}:${two(m)}:00`;
}

/** The `--option=value` pairs that ask Slurm for what a request needs, in a stable order. */
export function requestOptions(req: Request): string[] {
  const { resources: r, options: o } = req;
  const out: string[] = [];
  if (o.partition) out.push(`--partition=${directiveValue(o.partition)}`);
  if (o.account) out.push(`--account=${directiveValue(o.account)}`);
  if (o.qos) out.push(`--qos=${directiveValue(o.qos)}`);
  if (req.limit !== undefined && req.limit > 0) out.push(`--time=${slurmDuration(req.limit)}`);
  out.push(`--nodes=${r.nodes}`);
  if (r.ranks !== undefined) {
    out.push(`--ntasks=${r.ranks}`);
    out.push(`--cpus-per-task=${r.threads ?? 1}`);
  } else {
    out.push(`--cpus-per-task=${r.threads ?? r.cores}`);
  }
  // Slurm's --mem is per node; a task's memory is what each of its nodes must offer.
  if (r.memory !== undefined) out.push(`--mem=${r.memory}M`);
  if (r.gpus > 0) out.push(`--gpus=${r.gpus}`);
  return out;
}

/** What one submission script carries besides its request. */
export interface ScriptDirectives {
  readonly jobName: string;
  /** Folder of Slurm's own log for the job (and of the script). */
  readonly dir: string;
  readonly array?: string;
  readonly dependency?: string;
}

/** The `#SBATCH` lines of a script: ours first, then the user's own `directives` verbatim (they win). */
export function sbatchLines(req: Request, d: ScriptDirectives): string[] {
  const log = d.array ? 'slurm-%A_%a.log' : 'slurm-%j.log';
  const opts = [
    `--job-name=${directiveValue(d.jobName)}`,
    `--chdir=${directiveValue(d.dir)}`,
    `--output=${directiveValue(`${patternLiteral(d.dir)}/${log}`)}`,
    ...requestOptions(req),
    ...(d.array ? [`--array=${d.array}`] : []),
    ...(d.dependency ? ['--kill-on-invalid-dep=yes', `--dependency=${d.dependency}`] : []),
  ];
  const user = (req.options.directives ?? []).map((l) => (/^#SBATCH\b/.test(l) ? l : `#SBATCH ${l}`));
  return [...opts.map((o) => `#SBATCH ${o}`), ...user];
}
