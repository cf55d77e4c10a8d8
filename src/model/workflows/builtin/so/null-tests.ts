import type { WorkflowContext, WorkflowInstance, WorkflowType } from '../../types.js';
import {
  MAPMAKING_PROPERTIES,
  type MapmakingParams,
  makeMlMapArgv,
  mapEstimate,
  SITE_WAFERS,
} from './mapmaking.js';
import { type Observation, queryOf, selectObservations } from './obsdb.js';

/** A null test: the map's parameters, and how its observations are cut into splits. */
export interface NullTestParams extends MapmakingParams {
  readonly chunk_nobs: number;
  readonly nsplits?: number;
}

const schema = {
  type: 'object',
  required: ['context', 'area', 'output_dir', 'chunk_nobs'],
  additionalProperties: false,
  properties: {
    ...MAPMAKING_PROPERTIES,
    chunk_nobs: { type: 'integer', minimum: 1, description: 'Observations per chunk' },
    nsplits: { type: 'integer', minimum: 2, maximum: 1024, description: 'Splits (default 8)' },
  },
} as const;

/**
 * The SO campaign manager's split: observations in time order are cut into
 * ceil(n / chunk_nobs) nearly equal chunks (numpy's array_split), chunk i going to split
 * i mod nsplits. Empty splits are left out.
 */
export function splitObservations(
  obs: readonly Observation[],
  chunkNobs: number,
  nsplits: number,
): string[][] {
  const ids = [...obs].sort((a, b) => a.timestamp - b.timestamp).map((o) => o.obs_id);
  const nchunks = Math.ceil(ids.length / chunkNobs);
  const splits: string[][] = Array.from({ length: nsplits }, () => []);
  let at = 0;
  for (let i = 0; i < nchunks; i++) {
    const size = Math.floor(ids.length / nchunks) + (i < ids.length % nchunks ? 1 : 0);
    splits[i % nsplits]!.push(...ids.slice(at, at + size));
    at += size;
  }
  return splits;
}

interface SplitValues {
  readonly query: string;
  readonly output_dir: string;
  readonly wafer?: string;
  readonly nobs: number;
  readonly samples: number;
}

function instance(id: string, p: NullTestParams, dir: string, ids: string[], obs: Observation[]) {
  const set = new Set(ids);
  const values: SplitValues & Record<string, unknown> = {
    query: queryOf(ids),
    output_dir: `${p.output_dir}/${dir}`,
    nobs: ids.length,
    samples: obs.filter((o) => set.has(o.obs_id)).reduce((n, o) => n + o.n_samples, 0),
  };
  return { id, values };
}

function missionSplits(p: NullTestParams, ctx: WorkflowContext): WorkflowInstance[] {
  const obs = selectObservations(p.context, p.query ?? '1', ctx.dir);
  return splitObservations(obs, p.chunk_nobs, p.nsplits ?? 8)
    .map((ids, k) => ({ ids, k }))
    .filter((s) => s.ids.length > 0)
    .map((s, n) => instance(`split-${n + 1}`, p, `mission_split_${n + 1}`, s.ids, obs));
}

function waferSplits(p: NullTestParams, ctx: WorkflowContext): WorkflowInstance[] {
  const obs = selectObservations(p.context, p.query ?? '1', ctx.dir);
  const out: WorkflowInstance[] = [];
  for (const slot of SITE_WAFERS[p.site ?? 'so_lat'] ?? []) {
    const [tube, wafer] = slot.split(':') as [string, string];
    const mine = obs.filter((o) => o.wafers.includes(wafer) && o.tube_slot.includes(tube));
    splitObservations(mine, p.chunk_nobs, p.nsplits ?? 8).forEach((ids, k) => {
      if (ids.length === 0) return;
      const split = instance(`${wafer}-split-${k + 1}`, p, `wafer_${wafer}_split_${k + 1}`, ids, mine);
      out.push({ id: split.id, values: { ...split.values, wafer } });
    });
  }
  return out;
}

/** Each task maps one split: its own query of the split's observations, into its own folder. */
function splitCommand(
  p: NullTestParams,
  ctx: WorkflowContext & { values?: Readonly<Record<string, unknown>> },
) {
  const v = (ctx.values ?? {}) as Partial<SplitValues>;
  return makeMlMapArgv(p, ctx, {
    ...(v.query ? { query: v.query } : {}),
    ...(v.output_dir ? { output_dir: v.output_dir } : {}),
    ...(v.wafer ? { wafer: v.wafer } : {}),
  });
}

/** The largest split decides what every task of the node requests. */
function splitEstimate(p: NullTestParams, splits: WorkflowInstance[]) {
  return mapEstimate(Math.max(0, ...splits.map((s) => Number(s.values.samples))), p);
}

/** `[campaign.ml-null-tests.mission-tests]`: maps of splits in time. */
export const missionTestsType: WorkflowType<NullTestParams> = {
  name: 'ml-null-tests.mission-tests',
  description:
    'Null test in time: observations in time order, chunk_nobs a chunk, chunks dealt into nsplits maps.',
  paramsSchema: schema,
  expand: missionSplits,
  command: splitCommand,
  resources: (p, ctx) => splitEstimate(p, missionSplits(p, ctx)),
};

/** `[campaign.ml-null-tests.wafer-tests]`: per detector wafer, maps of splits in time. */
export const waferTestsType: WorkflowType<NullTestParams> = {
  name: 'ml-null-tests.wafer-tests',
  description: "Null test by wafer: each wafer's observations split in time into nsplits maps.",
  paramsSchema: schema,
  expand: waferSplits,
  command: splitCommand,
  resources: (p, ctx) => splitEstimate(p, waferSplits(p, ctx)),
};
