import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { seedOf } from '../../expand/seed.js';
import { parseDuration, parseMemory } from '../../units.js';
import type { EstimateInput, WorkflowContext, WorkflowInstance, WorkflowType } from '../types.js';

export interface SplitParams {
  readonly observations?: string;
  readonly nobs?: number;
  readonly chunk_nobs: number;
  readonly nsplits: number;
  readonly shuffle?: boolean;
  readonly command: string | readonly string[];
  readonly memory_per_obs?: string;
  readonly runtime_per_obs?: string;
}

/**
 * Null-test splits: the observations are cut into chunks of `chunk_nobs`, and the chunks dealt
 * (after a shuffle seeded by the campaign seed and the node) into `nsplits` splits, one
 * instance each. The command is a template over `{split}`, `{nsplits}`, `{nobs}`, `{chunks}`
 * and `{observations}`.
 */
export const splitType: WorkflowType<SplitParams> = {
  name: 'split',
  description: 'Deals chunks of observations into nsplits splits, one instance per split (null tests).',
  paramsSchema: {
    type: 'object',
    required: ['chunk_nobs', 'nsplits', 'command'],
    additionalProperties: false,
    properties: {
      observations: {
        type: 'string',
        description: 'A file listing the observations: one per line, or a CSV whose first column names them.',
      },
      nobs: { type: 'integer', minimum: 1, description: 'The number of observations, without a file.' },
      chunk_nobs: { type: 'integer', minimum: 1, description: 'Observations per chunk.' },
      nsplits: { type: 'integer', minimum: 2, description: 'Splits to deal the chunks into.' },
      shuffle: { type: 'boolean', description: 'Shuffle the chunks before dealing them (default true).' },
      command: {
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string' }, minItems: 1 },
        ],
      },
      memory_per_obs: {
        type: 'string',
        pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*([KkMmGgTtPp]([Ii]?[Bb])?|[Bb])\\s*$',
        description: 'Memory per observation, for the estimate: "64M".',
      },
      runtime_per_obs: {
        type: 'string',
        pattern: '^\\s*([0-9]+(\\.[0-9]+)?\\s*(d|h|m|s)\\s*)+$',
        description: 'Runtime per observation, for the estimate: "30s".',
      },
    },
  },
  command: (params) => params.command,
  expand: (params, ctx) => deal(params, ctx),
  resources: (params, ctx): EstimateInput => {
    const per = Math.ceil(observations(params, ctx).length / params.nsplits);
    const memory = params.memory_per_obs ? parseMemory(params.memory_per_obs) : undefined;
    const runtime = params.runtime_per_obs ? parseDuration(params.runtime_per_obs) : undefined;
    return {
      ...(memory !== undefined ? { memory: Math.ceil(memory * per) } : {}),
      ...(runtime !== undefined ? { runtime: Math.ceil(runtime * per) } : {}),
    };
  },
};

function deal(params: SplitParams, ctx: WorkflowContext): WorkflowInstance[] {
  const obs = observations(params, ctx);
  const nchunks = Math.ceil(obs.length / params.chunk_nobs);
  const order = Array.from({ length: nchunks }, (_, c) => c);
  if (params.shuffle !== false) shuffle(order, seedOf(ctx.campaignSeed, ctx.node));
  const chunks: number[][] = Array.from({ length: params.nsplits }, () => []);
  order.forEach((c, k) => {
    chunks[k % params.nsplits]!.push(c);
  });
  return chunks.map((list, split) => {
    list.sort((a, b) => a - b);
    const members = list.flatMap((c) => obs.slice(c * params.chunk_nobs, (c + 1) * params.chunk_nobs));
    return {
      id: `split-${split}`,
      values: { split, nsplits: params.nsplits, chunks: list, nobs: members.length, observations: members },
    };
  });
}

function observations(params: SplitParams, ctx: WorkflowContext): string[] {
  if (params.observations === undefined) {
    if (params.nobs === undefined) throw new Error('give `observations` (a file) or `nobs`');
    return Array.from({ length: params.nobs }, (_, i) => String(i));
  }
  const path = isAbsolute(params.observations) ? params.observations : resolve(ctx.dir, params.observations);
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  const csv = extname(path).toLowerCase() === '.csv';
  const names = csv ? lines.slice(1).map((l) => l.split(',')[0]!.trim()) : lines.map((l) => l.trim());
  return [...new Set(names)];
}

/** Fisher-Yates with a small seeded generator (mulberry32), so the deal is reproducible. */
function shuffle(a: number[], seed: number): void {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
