import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS, campaignSchema, schemaHash } from '../../src/model/schema.js';
import { schedulers } from '../../src/schedulers/index.js';
import { schedulerSchemas } from '../../src/schedulers/options-schema.js';

const published = JSON.parse(
  readFileSync(new URL('../../schemas/campaign.schema.json', import.meta.url), 'utf8'),
) as { definitions: Record<string, { properties: Record<string, unknown> }> };

describe('the scheduler tables of the schema come from the registry', () => {
  it('the published file carries exactly what the registry declares (the build writes it)', () => {
    const built = schedulerSchemas();
    expect(published.definitions.schedulerOptions).toEqual(built.schedulerOptions);
    expect(published.definitions.campaignScheduler).toEqual(built.campaignScheduler);
  });

  it('every job option of every adapter is a key of any table, every option one of [campaign.scheduler]', () => {
    const defs = campaignSchema.definitions as Record<string, { properties: Record<string, unknown> }>;
    const tableKeys = Object.keys(defs.schedulerOptions!.properties).sort();
    const campaignKeys = Object.keys(defs.campaignScheduler!.properties).sort();
    expect(tableKeys).toEqual(['account', 'directives', 'partition', 'project', 'qos', 'queue']);
    expect(campaignKeys).toEqual([
      'account',
      'directives',
      'gpu_complex',
      'memory_complex',
      'memory_per_slot',
      'partition',
      'pe',
      'poll_interval',
      'project',
      'qos',
      'queue',
      'submit_rate',
      'targets',
      'type',
    ]);
    for (const entry of Object.values(schedulers)) {
      for (const [key, spec] of Object.entries(entry.options)) {
        expect(campaignKeys, `${entry.name}.${key}`).toContain(key);
        if (spec.scope === 'job') expect(tableKeys, `${entry.name}.${key}`).toContain(key);
        else expect(tableKeys, `${entry.name}.${key}`).not.toContain(key);
      }
    }
    expect(defs.campaignScheduler!.properties.type).toEqual({
      enum: ['local', 'slurm', 'sge'],
      description: 'The scheduler that runs the nodes (default local).',
    });
  });

  it('a key shared by two adapters says which reads it how', () => {
    const p = published.definitions.schedulerOptions!.properties as Record<string, { description: string }>;
    expect(p.partition!.description).toBe(
      'slurm: the partition (--partition). sge: the queue, as the planner names it (-q; `queue` wins).',
    );
    expect(p.directives!.description).toBe(
      'slurm, sge: extra directives passed to the scheduler verbatim, such as "--constraint=haswell".',
    );
  });
});

describe('the validator the build generates', () => {
  const file = fileURLToPath(new URL('../../dist/model/campaign-validate.cjs', import.meta.url));
  const generated = createRequire(import.meta.url)(file) as ValidateFunction & { schemaHash: string };
  const fresh = new Ajv(AJV_OPTIONS).compile(campaignSchema);
  const shape = (v: ValidateFunction, doc: unknown) => {
    v(doc);
    return (v.errors ?? []).map((e) => ({
      ...e,
      schema: JSON.stringify(e.schema),
      parentSchema: JSON.stringify(e.parentSchema),
    }));
  };

  it('was made from this schema', () => {
    expect(generated.schemaHash).toBe(schemaHash());
  });

  it('finds the same errors, with the same schemas, as the schema compiled here', () => {
    const docs = [
      { campaign: { name: 'x', a: { command: 'true', resources: { memory: 512, runtime: 'soon' } } } },
      { campaign: { name: 'bad name', scheduler: { type: 'pbs', qeue: 'all.q' }, a: { comand: 'x' } } },
      {
        campaign: {
          name: 'x',
          a: { command: ['a'], matrix: { i: '0..' }, depends_on: 3, retries: { count: -1 } },
        },
      },
      { campaign: { name: 'x', resources: { nodes: 0, memory_per_node: 12 }, lists: { l: [] } } },
    ];
    for (const doc of docs) {
      const want = shape(fresh, doc);
      expect(want.length).toBeGreaterThan(0);
      expect(shape(generated, doc)).toEqual(want);
    }
  });

  it('every definition is unlike every other, so a copy in an error is known by its text', () => {
    const texts = Object.values(campaignSchema.definitions as object).map((d) => JSON.stringify(d));
    expect(new Set(texts).size).toBe(texts.length);
  });
});
