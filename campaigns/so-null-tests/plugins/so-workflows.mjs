// A campaign plugin: workflow types for the SO campaign manager's workflows (see docs/plugins.md).
// Types are plain objects; the JSDoc types come from the campaign sources.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** @type {import('../../../src/model/workflows/types.js').WorkflowType} */
const mlMapmaking = {
  name: 'ml-mapmaking',
  description: 'Maximum-likelihood mapmaking of the observations of a context',
  paramsSchema: {
    type: 'object',
    required: ['context', 'output', 'bands'],
    additionalProperties: false,
    properties: {
      context: { type: 'string', description: 'The observations (a CSV of samples)' },
      output: { type: 'string', description: 'Where the map goes; may use {wafer} and other instance values' },
      area: { type: 'string' },
      bands: { type: 'string', pattern: '^f[0-9]{3}(,f[0-9]{3})*$' },
      wafer: { type: 'string' },
      comps: { enum: ['T', 'TQU'] },
      maxiter: { type: 'integer', minimum: 1, maximum: 1000 },
      query: { type: 'string' },
      tiled: { enum: [0, 1] },
      site: { enum: ['act', 'so'] },
    },
  },
  // One task's argv: a wafer from the node's matrix, when there is one, selects its samples.
  command(params, ctx) {
    const wafer = ctx.values?.wafer ?? params.wafer;
    const output = params.output.replace(/\{(\w+)\}/g, (_, k) => String(ctx.values?.[k] ?? ''));
    return [
      'node',
      'bin/mapmaker.mjs',
      '--obs',
      params.context,
      '--maxiter',
      String(params.maxiter ?? 10),
      ...(wafer ? ['--wafer', wafer] : []),
      '--out',
      output,
    ];
  },
  // Memory grows with the samples mapped: 1 MiB per 10 samples, with 50% headroom.
  resources(params, ctx) {
    const samples = readFileSync(resolve(ctx.dir, params.context), 'utf8').trim().split('\n').length - 1;
    return { memory: Math.ceil((samples / 10) * 1.5), cores: 1 };
  },
};

export default { name: 'so-workflows', workflows: [mlMapmaking] };
