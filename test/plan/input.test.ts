import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/model/load.js';
import { checkDeadline } from '../../src/plan/deadline.js';
import { scheduleBudget, scheduleTasks } from '../../src/plan/input.js';
import { makePlan } from '../../src/plan/plan.js';
import { schedule } from '../../src/plan/schedule.js';
import { describeSizing, sizeTasks } from '../../src/plan/size-tasks.js';
import { placements } from './helpers.js';

// The example of docs/planning.md as a campaign file.
const EXAMPLE_TOML = `
[campaign]
name = "example"

[campaign.resources]
nodes = 1
cores_per_node = 4
memory_per_node = "16G"

[campaign.defaults.resources]
memory = "2G"

[campaign.a]
command = "true"
resources = { cores = 4, runtime = "1h" }

[campaign.b]
command = "true"
depends_on = ["a"]
resources = { cores = 2, runtime = "2h" }

[campaign.c]
command = "true"
depends_on = ["a"]
resources = { cores = 2, runtime = "1h" }

[campaign.d]
command = "true"
depends_on = ["b", "c"]
resources = { cores = 4, runtime = "30m" }

[campaign.sims]
resources = { memory = "12G", runtime = "1h" }

[campaign.sims.e]
command = "true"

[campaign.sims.f]
command = "true"
`;

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-plan-'));
  const file = join(dir, 'campaign.toml');
  writeFileSync(file, text);
  const r = await loadCampaign(file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.value;
}

describe('the schedule of a loaded campaign', () => {
  it('takes the task graph and the budget as they are', async () => {
    const loaded = await load(EXAMPLE_TOML);
    const tasks = scheduleTasks(loaded.tasks, { groupOf: (n) => n.parent ?? n.id });
    const budget = scheduleBudget(loaded.campaign.budget);
    expect(budget).toEqual({
      nodes: 1,
      coresPerNode: 4,
      memoryPerNode: 16384,
      gpusPerNode: Number.POSITIVE_INFINITY,
    });
    const s = schedule(tasks, budget);
    const names = loaded.tasks.tasks.map((t) => t.id);
    expect(placements(s, names)).toEqual({
      a: '0s-1h n0',
      b: '1h-3h n0',
      c: '1h-2h n0',
      'sims.e': '2h-3h n0',
      'sims.f': '3h-4h n0',
      d: '4h-4h30m n0',
    });
    expect(tasks.groups).toEqual(['a', 'b', 'c', 'd', 'sims']);
    expect(s.byGroup.find((g) => g.group === 'sims')).toMatchObject({ tasks: 2, coreHours: 2 });
    expect(checkDeadline(tasks, budget, 4 * 3600).suggestion?.text).toBe(
      'with nodes = 2 the makespan is 3h30m',
    );
  });

  it('sized requests replace the declared ones', async () => {
    const loaded = await load(EXAMPLE_TOML);
    const n = loaded.tasks.tasks.length;
    // Halve every runtime: the makespan halves too.
    const runtime = Float64Array.from(loaded.tasks.tasks, (t) => (t.resources.runtime ?? 0) / 2);
    const tasks = scheduleTasks(loaded.tasks, { requests: { runtime } });
    expect(tasks.runtime).toHaveLength(n);
    expect(schedule(tasks, scheduleBudget(loaded.campaign.budget)).makespan).toBe(2.25 * 3600);
  });

  it('without a budget, what this machine has bounds it', () => {
    expect(scheduleBudget({}, { cores: 8, memory: 32768 })).toEqual({
      nodes: 1,
      coresPerNode: 8,
      memoryPerNode: 32768,
      gpusPerNode: Number.POSITIVE_INFINITY,
    });
  });
});

describe('sizing and planning a loaded campaign', () => {
  const FANOUT = `
[campaign]
name = "sized"

[campaign.scheduler]
type = "slurm"

[campaign.resources]
nodes = 1
cores_per_node = 4
memory_per_node = "16G"
deadline = "1h"

[campaign.sims]
command = "true"
matrix = { draw = "0..9" }
chunk = 5
resources = { memory = "1G", runtime = "10m", cores = 2 }
scheduler = { partition = "debug" }

[campaign.report]
command = "true"
depends_on = ["sims"]
resources = { memory = "1G", runtime = "5m" }
`;

  it('sizes each chunk by its items, with the headroom once', async () => {
    const loaded = await load(FANOUT);
    const sized = sizeTasks(loaded.tasks, {
      settings: (node) =>
        node.id === 'sims'
          ? {
              scaling: { memory: { base: 1024, perItem: 100, perInputGiB: 0 } },
              headroom: { memory: 10, runtime: 50 },
            }
          : undefined,
    });
    // Two chunks of 5 draws: 1G + 5 x 100M = 1524M, +10% = 1676.4 -> 1677M; 10m + 50% = 15m.
    expect(Array.from(sized.requests.memory)).toEqual([1677, 1677, 1024]);
    expect(Array.from(sized.requests.runtime)).toEqual([900, 900, 300]);
    expect(describeSizing(sized.byNode.get('sims')!)).toBe('memory from scaling +10%, runtime declared +50%');
    expect(describeSizing(sized.byNode.get('report')!)).toBe('memory declared, runtime declared');
  });

  it('makePlan: the schedule, the rows, each node partition and the deadline', async () => {
    const loaded = await load(FANOUT);
    const cluster = {
      scheduler: 'slurm' as const,
      partitions: [
        { name: 'debug', nodes: 2, coresPerNode: 4, memoryPerNode: 16384, gpusPerNode: 0, maxWalltime: 900 },
        { name: 'regular', nodes: 8, coresPerNode: 64, memoryPerNode: 256000, gpusPerNode: 0 },
      ],
    };
    const plan = makePlan({
      graph: loaded.tasks,
      budget: loaded.campaign.budget,
      cluster,
      deadline: '20m',
      clock: { now: Date.UTC(2026, 11, 1) },
    });
    // The two chunks side by side (2 cores each), then the report.
    expect(
      placements(
        plan.schedule,
        loaded.tasks.tasks.map((t) => t.id),
      ),
    ).toEqual({
      'sims[chunk-0000]': '0s-10m n0',
      'sims[chunk-0001]': '0s-10m n0',
      report: '10m-15m n0',
    });
    expect(plan.rows.map((r) => [r.group, r.tasks, r.partition, r.coreHours])).toEqual([
      ['sims', 2, 'none', 2 / 3],
      ['report', 1, 'debug', 5 / 60],
    ]);
    // report (limit 10m) fits debug, the first; sims names debug, whose 15m is below its 20m limit.
    expect(plan.partitions?.get('sims')).toMatchObject({
      ok: false,
      message: 'does not fit partition debug: walltime 20m > 15m',
    });
    expect(plan.deadline).toMatchObject({ ok: true, check: { met: true, makespan: 900 } });
  });
});
