import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Priorities } from '../../src/exec/priority.js';
import { ReadyQueue } from '../../src/exec/ready-queue.js';
import { loadCampaign } from '../../src/model/load.js';

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-priority-'));
  const file = join(dir, 'campaign.toml');
  writeFileSync(file, text);
  const r = await loadCampaign(file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.value.tasks;
}

// x and y plan 10m a task; post (5m) waits for y.
const TEXT = `[campaign]
name = "p"
[campaign.x]
command = "true"
matrix = { i = "0..1" }
resources = { runtime = "10m" }
[campaign.y]
command = "true"
matrix = { i = "0..1" }
resources = { runtime = "10m" }
[campaign.post]
command = "true"
depends_on = ["y"]
resources = { runtime = "5m" }
`;

describe('engine priorities corrected by observed runtimes', () => {
  it("scales each node's remaining path by its observed / planned ratio, and reorders what is ready", async () => {
    const g = await load(TEXT);
    const v = (id: string) => g.indexOf.get(id)!;
    const p = new Priorities(g, 1);
    expect([p.rank[v('x[1]')], p.rank[v('y[1]')], p.rank[v('post')]]).toEqual([600, 900, 300]);
    const ready = new ReadyQueue(p.rank);
    ready.push(v('x[1]'));
    ready.push(v('y[1]'));
    expect(ready.peek()).toBe(v('y[1]'));
    // y[0] took twice its plan, x[0] four times: the run's ratio is 3600 s / 1200 s = 3.
    expect(p.observe(v('y[0]'), 1_200_000)).toBe(true);
    expect(p.observe(v('x[0]'), 2_400_000)).toBe(true);
    expect([p.ratio(g.nodes.findIndex((n) => n.node.id === 'post'))]).toEqual([3]);
    // x[1] 600 s x 4; y[1] 600 s x 2 + post 300 s x 3 (no success of its own: the run's ratio).
    expect([p.rank[v('x[1]')], p.rank[v('y[1]')], p.rank[v('post')]]).toEqual([2400, 2100, 900]);
    ready.reorder();
    expect(ready.pop()).toBe(v('x[1]'));
    expect(ready.pop()).toBe(v('y[1]'));
  });

  it('recomputes after every `every` successes only; a task with no wall time changes nothing', async () => {
    const g = await load(TEXT);
    const v = (id: string) => g.indexOf.get(id)!;
    const p = new Priorities(g, 2);
    expect(p.observe(v('x[0]'), undefined)).toBe(false);
    expect(p.observe(v('x[0]'), 2_400_000)).toBe(false);
    expect(p.rank[v('x[1]')]).toBe(600);
    expect(p.observe(v('y[0]'), 600_000)).toBe(true);
    expect(p.rank[v('x[1]')]).toBe(2400);
  });
});
