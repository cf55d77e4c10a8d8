import { join } from 'node:path';
import type { CampaignScheduler } from '../model/campaign.js';
import type { QueueAnswer, SchedulerAdapter } from './contract.js';
import type { ProbeCommand, ProbeResult } from './probe.js';

/**
 * The scheduler adapters: one entry each, with its name, the options it understands and how
 * one is built for a run. Nothing else in the program names an adapter: a new one is a folder
 * beside these and an entry here. Adapters load on first use, so commands that only read the
 * campaign file do not pay for the batch schedulers' code.
 */

/**
 * Where an option is written: `job` options may be set in `[campaign.scheduler]`, in
 * `[campaign.defaults.scheduler]` and in any table's `scheduler` (closest wins); `run` options
 * only in `[campaign.scheduler]`, since they set up the adapter itself.
 */
export type OptionScope = 'job' | 'run';

export interface OptionSpec {
  readonly scope: OptionScope;
  readonly summary: string;
  /**
   * The JSON Schema of the option's value. The campaign schema's scheduler tables are built
   * from these (src/schedulers/options-schema.ts), so a new adapter's keys need no schema edit.
   */
  readonly value: Readonly<Record<string, unknown>>;
}

/** What an adapter is built for: the run, and where the run keeps its files. */
export interface AdapterRun {
  /** The run's folder (`.campaign/<stem>/runs/<run>`); an adapter keeps its files below it. */
  readonly dir: string;
  readonly runId: string;
  readonly campaign: string;
}

export interface AdapterEntry {
  readonly name: string;
  readonly summary: string;
  /** Whether work goes on without the head, so a run may detach (`run --detach`). */
  readonly detachable: boolean;
  /**
   * The job option a cluster description's partitions become (`partition` on Slurm, `queue`
   * on Grid Engine); none where nothing is placed (the local machine ignores the cluster).
   */
  readonly placesIn?: 'partition' | 'queue';
  /** The `[campaign.scheduler]` keys it understands (besides `type` and `targets`). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly create: (sched: CampaignScheduler, run: AdapterRun) => Promise<SchedulerAdapter>;
  /**
   * One queue query for jobs no head watches: what the scheduler says of each job id it still
   * lists; undefined when it cannot be asked. Batch schedulers only.
   */
  readonly lookUp?: (jobIds: readonly string[]) => Promise<ReadonlyMap<string, QueueAnswer> | undefined>;
  /** Asks the live scheduler for its partitions or queues (`campaign cluster probe`). */
  readonly probe?: (name: string | undefined, run: ProbeCommand) => Promise<ProbeResult>;
}

const TEXT = { type: 'string' } as const;
const NAME = { type: 'string', minLength: 1 } as const;
const POLL: OptionSpec = {
  scope: 'run',
  summary: 'seconds between queue polls at the fastest (a duration such as "2s")',
  value: { $ref: '#/definitions/duration' },
};
const RATE: OptionSpec = {
  scope: 'run',
  summary: 'at most this many submissions per second',
  value: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
};
const DIRECTIVES: OptionSpec = {
  scope: 'job',
  summary: 'extra directives passed to the scheduler verbatim, such as "--constraint=haswell"',
  value: { type: 'array', items: { type: 'string' } },
};

/** A run setting from `[campaign.scheduler]`, as the adapter's constructor wants it. */
function setting<T>(sched: CampaignScheduler, key: string, check: (v: unknown) => v is T): T | undefined {
  const v = sched.settings?.[key];
  return check(v) ? v : undefined;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/** Only the keys whose value is defined: the adapters' options are exact. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const local: AdapterEntry = {
  name: 'local',
  summary: 'the machine the campaign runs on; the engine admits work by free cores and memory',
  detachable: false,
  options: {},
  create: async () => {
    const { LocalAdapter } = await import('./local/adapter.js');
    return new LocalAdapter();
  },
};

const slurm: AdapterEntry = {
  name: 'slurm',
  summary: 'Slurm: array jobs, native dependencies, one squeue per poll',
  detachable: true,
  placesIn: 'partition',
  options: {
    partition: { scope: 'job', summary: 'the partition (--partition)', value: TEXT },
    account: { scope: 'job', summary: 'the account charged (--account)', value: TEXT },
    qos: { scope: 'job', summary: 'the quality of service (--qos)', value: TEXT },
    directives: DIRECTIVES,
    poll_interval: POLL,
    submit_rate: RATE,
  },
  create: async (sched, run) => {
    const { SlurmAdapter } = await import('./slurm/adapter.js');
    return new SlurmAdapter({
      dir: join(run.dir, 'slurm'),
      campaign: run.campaign,
      runId: run.runId,
      ...defined({ pollInterval: sched.pollInterval, submitRate: sched.submitRate }),
    });
  },
  lookUp: async (jobIds) => (await import('./slurm/lookup.js')).lookUpJobs(jobIds),
  probe: async (name, run) => (await import('./slurm/probe.js')).probeSlurm(name, run),
};

const sge: AdapterEntry = {
  name: 'sge',
  summary: 'Grid Engine: array jobs, holds, one qstat per poll',
  detachable: true,
  placesIn: 'queue',
  options: {
    queue: { scope: 'job', summary: 'the queue (-q)', value: TEXT },
    partition: {
      scope: 'job',
      summary: 'the queue, as the planner names it (-q; `queue` wins)',
      value: TEXT,
    },
    project: { scope: 'job', summary: 'the project charged (-P)', value: TEXT },
    directives: DIRECTIVES,
    poll_interval: POLL,
    submit_rate: RATE,
    pe: {
      scope: 'run',
      summary: 'parallel environment for tasks of more than one core (-pe NAME N)',
      value: NAME,
    },
    memory_complex: {
      scope: 'run',
      summary: 'the complex that carries memory (default h_vmem; "none": no memory request)',
      value: NAME,
    },
    memory_per_slot: {
      scope: 'run',
      summary: 'whether that complex counts per slot, as h_vmem does (default true)',
      value: { type: 'boolean' },
    },
    gpu_complex: {
      scope: 'run',
      summary: 'the complex that carries GPUs per slot (such as "gpu")',
      value: NAME,
    },
  },
  create: async (sched, run) => {
    const { SgeAdapter } = await import('./sge/adapter.js');
    return new SgeAdapter({
      dir: join(run.dir, 'sge'),
      campaign: run.campaign,
      runId: run.runId,
      ...defined({
        pollInterval: sched.pollInterval,
        submitRate: sched.submitRate,
        pe: setting(sched, 'pe', isString),
        memoryComplex: setting(sched, 'memory_complex', isString),
        memoryPerSlot: setting(sched, 'memory_per_slot', isBoolean),
        gpuComplex: setting(sched, 'gpu_complex', isString),
      }),
    });
  },
  lookUp: async (jobIds) => (await import('./sge/lookup.js')).lookUpJobs(jobIds),
  probe: async (name, run) => (await import('./sge/probe.js')).probeSge(name, run),
};

const entries = { local, slurm, sge };

/** A scheduler's name, as `[campaign.scheduler] type` gives it: a key of the registry. */
export type SchedulerType = keyof typeof entries;

/** Every adapter, by the name `[campaign.scheduler] type` gives it. */
export const schedulers: Readonly<Record<SchedulerType, AdapterEntry>> = entries;

/** The scheduler names, in the order docs and diagnostics list them. */
export const schedulerNames = Object.keys(schedulers) as SchedulerType[];

/** Whether a name is a registered scheduler. */
export const isSchedulerType = (v: unknown): v is SchedulerType =>
  typeof v === 'string' && Object.hasOwn(schedulers, v);

/** `[campaign.scheduler]` keys the model reads itself rather than passing on as settings. */
const MODEL_KEYS: ReadonlySet<string> = new Set(['poll_interval', 'submit_rate']);

/** Job options of every adapter (set in any table's `scheduler`), each once. */
export function jobOptionKeys(): string[] {
  return optionKeys((o) => o.scope === 'job');
}

/** Run settings of every adapter that reach it as written (`settings`), each once. */
export function settingKeys(): string[] {
  return optionKeys((o, k) => o.scope === 'run' && !MODEL_KEYS.has(k));
}

function optionKeys(keep: (o: OptionSpec, key: string) => boolean): string[] {
  const keys = schedulerNames.flatMap((n) =>
    Object.entries(schedulers[n].options)
      .filter(([k, o]) => keep(o, k))
      .map(([k]) => k),
  );
  return [...new Set(keys)];
}

/** Keys of `[campaign.scheduler]` that every adapter reads. */
export const COMMON_KEYS: ReadonlySet<string> = new Set(['type', 'targets']);

/** The option keys of every adapter, each once. */
export function allOptionKeys(): string[] {
  return [...new Set(schedulerNames.flatMap((n) => Object.keys(schedulers[n].options)))];
}
