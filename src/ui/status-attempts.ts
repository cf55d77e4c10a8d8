import { formatDuration, formatMemory } from '../model/units.js';
import type { AttemptRecord } from '../state/attempts.js';

/**
 * One attempt as `status --json` lists it (docs/cli.md): what it asked for, what it used,
 * where and when it ran. A value that was not recorded is left out, never made up.
 */
export interface AttemptView {
  readonly n: number;
  readonly state: AttemptRecord['state'];
  readonly failure?: string;
  readonly requested?: {
    readonly cores?: number;
    readonly memory_bytes?: number;
    readonly gpus?: number;
    readonly runtime_s?: number;
    readonly limit_s?: number;
  };
  readonly used?: { readonly wall_s?: number; readonly cpu_s?: number; readonly max_rss_bytes?: number };
  readonly where?: { readonly pid?: number; readonly job?: string; readonly host?: string };
  /** ISO 8601 times. */
  readonly started?: string;
  readonly ended?: string;
}

const MIB = 1024 * 1024;

export function attemptView(a: AttemptRecord): AttemptView {
  const r = a.request;
  const requested = r
    ? defined({
        cores: r.cores,
        memory_bytes: r.memory !== undefined ? r.memory * MIB : undefined,
        gpus: r.gpus,
        runtime_s: r.runtime,
        limit_s: r.limit,
      })
    : undefined;
  const used = defined({
    wall_s: a.wallMs !== undefined ? a.wallMs / 1000 : undefined,
    cpu_s: a.cpuMs !== undefined ? a.cpuMs / 1000 : undefined,
    max_rss_bytes: a.maxRssKiB !== undefined ? a.maxRssKiB * 1024 : undefined,
  });
  const w = a.where;
  const where = w ? defined({ pid: w.pid, job: w.jobId, host: w.host }) : undefined;
  return {
    n: a.attempt,
    state: a.state,
    ...(a.failure !== undefined ? { failure: a.failure } : {}),
    ...(requested && Object.keys(requested).length > 0 ? { requested } : {}),
    ...(Object.keys(used).length > 0 ? { used } : {}),
    ...(where && Object.keys(where).length > 0 ? { where } : {}),
    ...(a.startedAt !== undefined ? { started: new Date(a.startedAt).toISOString() } : {}),
    ...(a.endedAt !== undefined ? { ended: new Date(a.endedAt).toISOString() } : {}),
  };
}

/** Where an attempt runs as a person reads it: `pid 4242 on vm`, `job 153_0 on node7`. */
export function whereLabel(w: AttemptView['where']): string | undefined {
  if (!w) return undefined;
  const on = w.host ? ` on ${w.host}` : '';
  if (w.pid !== undefined) return `pid ${w.pid}${on}`;
  if (w.job !== undefined) return `job ${w.job}${on}`;
  return w.host ? `on ${w.host}` : undefined;
}

/**
 * Used against requested, as far as both are known: `wall 1m2s of 5m limit, cpu 58s on 1 core,
 * peak 95M of 100M`. `now` (epoch ms) gives a running attempt's wall time so far.
 */
export function usageLine(a: AttemptView, now?: number): string {
  const rq = a.requested ?? {};
  const u = a.used ?? {};
  const parts: string[] = [];
  const wall =
    u.wall_s !== undefined
      ? u.wall_s
      : a.started !== undefined && a.ended === undefined && now !== undefined
        ? Math.max(0, now - Date.parse(a.started)) / 1000
        : undefined;
  const [limit, what] = rq.limit_s !== undefined ? [rq.limit_s, 'limit'] : [rq.runtime_s, 'estimate'];
  if (wall !== undefined)
    parts.push(`wall ${seconds(wall)}${limit !== undefined ? ` of ${seconds(limit)} ${what}` : ''}`);
  else if (limit !== undefined) parts.push(`${what} ${seconds(limit)}`);
  const cores = rq.cores !== undefined ? `${rq.cores} core${rq.cores === 1 ? '' : 's'}` : undefined;
  if (u.cpu_s !== undefined) parts.push(`cpu ${seconds(u.cpu_s)}${cores ? ` on ${cores}` : ''}`);
  else if (cores) parts.push(cores);
  const mem = rq.memory_bytes !== undefined ? formatMemory(Math.round(rq.memory_bytes / MIB)) : undefined;
  if (u.max_rss_bytes !== undefined) parts.push(`peak ${bytes(u.max_rss_bytes)}${mem ? ` of ${mem}` : ''}`);
  else if (mem) parts.push(`memory ${mem}`);
  if (rq.gpus) parts.push(`${rq.gpus} gpu${rq.gpus === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** `0.04s` below a second, `2.5s` below ten, else `1h30m`. */
function seconds(s: number): string {
  if (s < 1) return `${Math.round(s * 100) / 100}s`;
  return s < 10 ? `${Math.round(s * 10) / 10}s` : formatDuration(s);
}

/** `12M`, `1.5G`: measured memory, to a tenth of a GiB. */
function bytes(b: number): string {
  const mib = b / MIB;
  if (mib < 1) return `${Math.ceil(mib * 10) / 10}M`;
  return mib < 1024 ? `${Math.round(mib)}M` : `${Math.round(mib / 102.4) / 10}G`;
}

/** Only the keys whose value is defined. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
