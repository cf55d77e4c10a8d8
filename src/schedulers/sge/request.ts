import type { Resources, SchedulerOptions } from '../../model/campaign.js';

/** Everything that must be equal for submissions to share one array job. */
export interface Request {
  readonly resources: Resources;
  readonly options: SchedulerOptions;
  /** Wall-clock limit in seconds. */
  readonly limit?: number;
}

/** How a site asks Grid Engine for cores, memory and GPUs (the adapter's options). */
export interface SiteOptions {
  /** Parallel environment for tasks of more than one core (`-pe <pe> <cores>`). */
  readonly pe?: string;
  /** Complex that carries a memory request (default `h_vmem`; `none`: ask for no memory). */
  readonly memoryComplex?: string;
  /** Whether the memory complex counts per slot (default true, as `h_vmem` does). */
  readonly memoryPerSlot?: boolean;
  /** Complex that carries a GPU request, per slot (`-l <complex>=<n>`); none by default. */
  readonly gpuComplex?: string;
  /** Seconds between TERM and KILL when the wrapper stops a command at its limit. */
  readonly killGrace: number;
}

/** Seconds Grid Engine's `h_rt` leaves the wrapper after it killed the command at its limit. */
export const HARD_LIMIT_MARGIN = 5;

/** Grid Engine's hard run-time limit for a limit: the wrapper's own limit, its grace and a margin. */
export const hardLimit = (limit: number, killGrace: number) =>
  Math.ceil(limit) + Math.ceil(killGrace) + HARD_LIMIT_MARGIN;

/** Seconds as `H:MM:SS`, the form `h_rt` takes. */
export function sgeDuration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/**
 * The qsub arguments that ask for what a request needs, in a stable order, or why Grid
 * Engine cannot be asked for it. Values are separate arguments (qsub runs without a shell).
 */
export function requestArgs(
  req: Request,
  site: SiteOptions,
): { ok: true; args: string[] } | { ok: false; message: string } {
  const { resources: r, options: o } = req;
  const args: string[] = [];
  const queue = o.queue ?? o.partition;
  if (queue) args.push('-q', queue);
  if (o.project) args.push('-P', o.project);
  if (o.account) args.push('-A', o.account);
  const slots = Math.max(1, r.cores);
  if (slots > 1) {
    if (!site.pe)
      return {
        ok: false,
        message: `needs ${slots} cores: Grid Engine grants more than one slot only through a parallel environment (set the scheduler option pe)`,
      };
    args.push('-pe', site.pe, String(slots));
  }
  const limits: string[] = [];
  if (req.limit !== undefined && req.limit > 0)
    limits.push(`h_rt=${sgeDuration(hardLimit(req.limit, site.killGrace))}`);
  const complex = site.memoryComplex ?? 'h_vmem';
  if (r.memory !== undefined && complex !== 'none' && complex !== '') {
    const per = site.memoryPerSlot === false ? r.memory : Math.ceil(r.memory / slots);
    limits.push(`${complex}=${per}M`);
  }
  if (r.gpus > 0) {
    if (!site.gpuComplex)
      return {
        ok: false,
        message: `needs ${r.gpus} GPU(s): Grid Engine has no standard GPU request (set the scheduler option gpu_complex)`,
      };
    limits.push(`${site.gpuComplex}=${Math.ceil(r.gpus / slots)}`);
  }
  if (limits.length > 0) args.push('-l', limits.join(','));
  return { ok: true, args };
}

/**
 * The campaign's own `directives`, as qsub arguments: each is split at white space as Grid
 * Engine splits a `#$` line (a leading `#$` is dropped). They come last, so they win.
 */
export function directiveArgs(directives: readonly string[] | undefined): string[] {
  return (directives ?? []).flatMap((d) =>
    d
      .replace(/^\s*#\$/, '')
      .trim()
      .split(/\s+/)
      .filter((w) => w !== ''),
  );
}
