import type { EstimateInput, JsonSchema, WorkflowContext, WorkflowType } from '../../types.js';
import { filePath, type Observation, selectObservations } from './obsdb.js';

/** The parameters of the SO campaign manager's ML mapmaking workflow, as its TOML spells them. */
export interface MapmakingParams {
  readonly context: string;
  readonly area: string;
  readonly output_dir: string;
  readonly query?: string;
  readonly preprocess_config?: string;
  readonly bands?: string;
  readonly wafer?: string;
  readonly comps?: string;
  readonly maxiter?: number | string;
  readonly downsample?: number | string;
  readonly tiled?: 0 | 1;
  readonly site?: string;
  readonly executable?: string;
}

const path = (what: string) => ({ type: 'string', minLength: 1, description: what });
const levels = (what: string) => ({
  oneOf: [
    { type: 'integer', minimum: 1 },
    {
      type: 'string',
      pattern: '^[1-9][0-9]*(,[1-9][0-9]*)*$',
      description: 'a whole number, or one per level: "200,200"',
    },
  ],
  description: what,
});

/** The sites the SO campaign manager knows, with their wafer slots (tube:wafer). */
export const SITE_WAFERS: Readonly<Record<string, readonly string[]>> = {
  act: ['st1:ws0'],
  sat: ['st1:ws0', 'st1:ws1', 'st1:ws2', 'st1:ws3', 'st1:ws4', 'st1:ws5', 'st1:ws6'],
  so_sat: ['st1:ws0', 'st1:ws1', 'st1:ws2', 'st1:ws3', 'st1:ws4', 'st1:ws5', 'st1:ws6'],
  lat: ['c1', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6'].flatMap((t) => [`${t}:ws0`, `${t}:ws1`, `${t}:ws2`]),
  so_lat: ['c1', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6'].flatMap((t) => [`${t}:ws0`, `${t}:ws1`, `${t}:ws2`]),
};

/** The JSON Schema properties every SO mapmaking type shares. */
export const MAPMAKING_PROPERTIES: Readonly<Record<string, JsonSchema>> = {
  context: path('The sotodlib context (file://...yaml): its obsdb lists the observations'),
  area: path('The FITS geometry of the sky area to map (file://...fits)'),
  output_dir: path('Where the maps go'),
  query: { type: 'string', minLength: 1, description: 'Which observations: 1 (all), obs_id=..., file://' },
  preprocess_config: path('The preprocessing configuration (file://...yaml)'),
  bands: { type: 'string', pattern: '^f[0-9]{3}(,f[0-9]{3})*$', description: 'bands: "f090" or "f090,f150"' },
  wafer: { type: 'string', pattern: '^ws[0-9]+$', description: 'a detector wafer: "ws0"' },
  comps: { enum: ['T', 'QU', 'TQU'], description: 'Map components' },
  maxiter: levels('Iterations of the solver, one per downsampling level: 10 or "200,200"'),
  downsample: levels('Downsampling per level: 1 or "4,2"'),
  tiled: { enum: [0, 1], description: 'Tiled maps (1) or one map (0)' },
  site: { enum: Object.keys(SITE_WAFERS), description: 'The telescope site' },
  executable: { type: 'string', minLength: 1, description: 'The program (default so-site-pipeline)' },
};

/** Options passed as `--key=value`, sorted as the SO campaign manager sorts them. */
const OPTIONS = ['bands', 'comps', 'context', 'downsample', 'maxiter', 'site', 'tiled', 'wafer'] as const;

/**
 * The argv of `so-site-pipeline make-ml-map`: the positional query, area, output folder (and
 * preprocessing configuration), then `--key=value` options; `file://` values become paths.
 */
export function makeMlMapArgv(
  p: MapmakingParams,
  ctx: WorkflowContext,
  over: { query?: string; output_dir?: string; wafer?: string } = {},
): string[] {
  const value = (k: string, v: unknown) =>
    typeof v === 'string' && (v.startsWith('file://') || k === 'context') ? filePath(v, ctx.dir) : String(v);
  const all: Record<string, unknown> = { ...p, ...over };
  return [
    p.executable ?? 'so-site-pipeline',
    'make-ml-map',
    over.query ?? p.query ?? '1',
    filePath(p.area, ctx.dir),
    over.output_dir ?? p.output_dir,
    ...(p.preprocess_config ? [filePath(p.preprocess_config, ctx.dir)] : []),
    ...OPTIONS.filter((k) => all[k] !== undefined).map((k) => `--${k}=${value(k, all[k])}`),
  ];
}

/**
 * What a map of these observations needs: memory grows with the samples held (64 MiB plus 1 MiB
 * per 16,384 samples per component), runtime with samples times iterations.
 */
export function mapEstimate(samples: number, p: MapmakingParams): EstimateInput {
  const comps = (p.comps ?? 'TQU').length;
  const iters = String(p.maxiter ?? 10)
    .split(',')
    .reduce((n, x) => n + Number(x), 0);
  return {
    memory: Math.ceil(64 + (samples * comps) / 16_384),
    runtime: Math.ceil(5 + (samples * iters) / 1_000_000),
  };
}

export const samplesOf = (obs: readonly Observation[]): number => obs.reduce((n, o) => n + o.n_samples, 0);

/** `[campaign.ml-mapmaking]`: one maximum-likelihood map of the observations the query selects. */
export const mlMapmakingType: WorkflowType<MapmakingParams> = {
  name: 'ml-mapmaking',
  description: 'Maximum-likelihood map of the observations a context and query select (so-site-pipeline).',
  paramsSchema: {
    type: 'object',
    required: ['context', 'area', 'output_dir'],
    additionalProperties: false,
    properties: MAPMAKING_PROPERTIES,
  },
  command: (p, ctx) => makeMlMapArgv(p, ctx),
  resources: (p, ctx) => mapEstimate(samplesOf(selectObservations(p.context, p.query ?? '1', ctx.dir)), p),
};
