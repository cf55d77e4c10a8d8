import { COMMON_KEYS, type OptionSpec, schedulerNames, schedulers } from './index.js';

type Schema = Record<string, unknown>;

/**
 * The campaign schema's two scheduler tables, built from the registry: `schedulerOptions`
 * (any table's `scheduler`: job options) and `campaignScheduler` (`[campaign.scheduler]`: the
 * common keys, job options and run settings). Each key says which schedulers read it. The
 * model validates against these; `npm run build` writes them into schemas/campaign.schema.json
 * for editors.
 */
export function schedulerSchemas(): { schedulerOptions: Schema; campaignScheduler: Schema } {
  const names = { enum: [...schedulerNames] };
  const job: Record<string, Schema> = {};
  const all: Record<string, Schema> = {};
  for (const [key, specs] of byKey()) {
    const first = specs[0]!.spec;
    for (const { name, spec } of specs) {
      if (JSON.stringify(spec.value) !== JSON.stringify(first.value) || spec.scope !== first.scope) {
        throw new Error(`scheduler option ${key}: ${name} declares it unlike ${specs[0]!.name}`);
      }
    }
    const description = describe(specs);
    const entry = { ...first.value, description };
    all[key] = entry;
    if (first.scope === 'job') job[key] = entry;
  }
  return {
    schedulerOptions: {
      type: 'object',
      description: 'Batch scheduler options; merged key by key along the tree.',
      additionalProperties: false,
      properties: job,
    },
    campaignScheduler: {
      type: 'object',
      description: 'Where nodes run, and how the scheduler is driven.',
      additionalProperties: false,
      properties: {
        type: { ...names, description: 'The scheduler that runs the nodes (default local).' },
        targets: {
          type: 'array',
          items: names,
          uniqueItems: true,
          description:
            'The schedulers this file is written for besides type: options only they understand are warnings, not errors.',
        },
        ...all,
      },
    },
  };
}

/** `slurm, sge: what it is.`, one sentence per distinct summary. */
function describe(specs: readonly { name: string; spec: OptionSpec }[]): string {
  const names = new Map<string, string[]>();
  for (const { name, spec } of specs) names.set(spec.summary, [...(names.get(spec.summary) ?? []), name]);
  return [...names].map(([summary, who]) => `${who.join(', ')}: ${summary}.`).join(' ');
}

/** Every option key with the adapters that declare it, in registry order. */
function byKey(): Map<string, { name: string; spec: OptionSpec }[]> {
  const out = new Map<string, { name: string; spec: OptionSpec }[]>();
  for (const name of schedulerNames) {
    for (const [key, spec] of Object.entries(schedulers[name].options)) {
      if (COMMON_KEYS.has(key)) throw new Error(`scheduler option ${key} of ${name} is a common key`);
      const list = out.get(key) ?? [];
      list.push({ name, spec });
      out.set(key, list);
    }
  }
  return out;
}
