import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/model/load.js';
import { parseCluster } from '../../src/plan/cluster.js';
import { scheduleTasks } from '../../src/plan/input.js';
import { partitionsOf } from '../../src/plan/plan.js';
import { plannedGraph } from '../../src/plan/requests.js';
import { sizeTasks } from '../../src/plan/size-tasks.js';

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-requests-'));
  const file = join(dir, 'campaign.toml');
  writeFileSync(file, text);
  const r = await loadCampaign(file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.value;
}

const TEXT = `[campaign]
name = "r"
[campaign.scheduler]
type = "slurm"

[campaign.plain]
command = "true"
resources = { memory = "1G", runtime = "1h" }

[campaign.roomy]
matrix = { i = [1, 2] }
command = "echo {i}"
headroom = { memory = "50%", runtime = "50%" }
resources = { cores = 2, memory = "1G", runtime = "1h" }

[campaign.capped]
command = "true"
timeout = "3h"
headroom = { runtime = "100%" }
resources = { runtime = "1h" }
`;

describe('plannedGraph: what the engine is handed', () => {
  it('changes only the tasks whose request the planner changed; limits follow the runtime', async () => {
    const { tasks } = await load(TEXT);
    const sized = sizeTasks(tasks, { settings: (n) => (n.headroom ? { headroom: n.headroom } : undefined) });
    const g = plannedGraph(tasks, { requests: sized.requests });
    const at = (id: string) => g.tasks[tasks.indexOf.get(id)!]!;
    expect(at('plain')).toBe(tasks.tasks[0]);
    const r = at('roomy[1]');
    expect(r.resources).toMatchObject({ cores: 2, memory: 1536, runtime: 5400 });
    expect(r.limit).toBe(10_800); // 1h30m x 2
    expect(r.command).toBe('echo 1'); // everything else is the task's own
    expect(r.hash).toBe(tasks.tasks[tasks.indexOf.get('roomy[1]')!]!.hash);
    expect(at('capped').resources.runtime).toBe(7200);
    expect(at('capped').limit).toBe(10_800); // the node's timeout stands
    expect(g.indexOf.get('capped')).toBe(tasks.indexOf.get('capped'));
  });

  it('without anything to change, the graph itself', async () => {
    const { tasks } = await load('[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\n');
    expect(plannedGraph(tasks, { requests: sizeTasks(tasks).requests })).toBe(tasks);
  });

  it("the chosen partition goes into the node's scheduler options", async () => {
    const { tasks } = await load(TEXT);
    const cluster = parseCluster(
      {
        partitions: [
          { name: 'small', nodes: 1, cores_per_node: 1, memory_per_node: '8G' },
          { name: 'big', nodes: 1, cores_per_node: 8, memory_per_node: '8G' },
        ],
      },
      ['cluster'],
    );
    if (!cluster.ok) throw new Error('cluster');
    const sized = sizeTasks(tasks);
    const partitions = partitionsOf(cluster.value, tasks, scheduleTasks(tasks, { requests: sized.requests }));
    const g = plannedGraph(tasks, { requests: sized.requests, partitions });
    const opt = (id: string) => g.tasks[tasks.indexOf.get(id)!]!.node.scheduler.partition;
    expect([opt('plain'), opt('roomy[2]'), opt('capped')]).toEqual(['small', 'big', 'small']);
  });
});
