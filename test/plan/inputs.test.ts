import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/model/load.js';
import { perUnitRequest } from '../../src/plan/history.js';
import { measureInputs } from '../../src/plan/inputs.js';
import { taskUnits, unitScalings } from '../../src/plan/per-unit.js';
import { sizeTasks } from '../../src/plan/size-tasks.js';

const GIB = 1024 ** 3;

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-inputs-'));
  const file = join(dir, 'campaign.toml');
  writeFileSync(file, text);
  const r = await loadCampaign(file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return { dir, loaded: r.value };
}

// Five basins in chunks of 2, 2 and 1; each reads its own file and a shared grid.
const TEXT = `[campaign]
name = "i"
[campaign.defaults.resources]
memory = { base = "1G", per_item = "100M" }
[campaign.regrid]
command = "true"
matrix = { basin = ["a", "b", "c", "d", "e"] }
chunk = 2
inputs = ["data/{basin}.nc", "grid.nc", "{missing}.nc"]
resources = { runtime = { base = "1m", per_input_gib = "10m" } }
[campaign.report]
command = "true"
resources = { memory = "2G" }
`;

describe('inputs and scalings in the model and the planner', () => {
  it('a chunk sums the inputs of its items, a shared file once; missing ones are counted and named', async () => {
    const { dir, loaded } = await load(TEXT);
    const sizes: Record<string, number> = {
      'data/a.nc': GIB,
      'data/b.nc': 2 * GIB,
      'data/c.nc': GIB / 2,
      'data/e.nc': GIB,
      'grid.nc': GIB / 4,
    };
    const seen: string[] = [];
    const m = measureInputs(loaded.tasks, (p) => {
      seen.push(p);
      return sizes[p.slice(dir.length + 1)];
    });
    const v = (id: string) => loaded.tasks.indexOf.get(id)!;
    const ids = loaded.tasks.tasks.map((t) => t.id);
    expect(ids).toEqual(['regrid[chunk-0000]', 'regrid[chunk-0001]', 'regrid[chunk-0002]', 'report']);
    expect(ids.map((_, i) => m.bytes(i))).toEqual([3.25 * GIB, 0.75 * GIB, 1.25 * GIB, undefined]);
    // {missing} has no value in any item: one per item; data/d.nc does not exist.
    expect(m.missing).toEqual(
      new Map([['regrid', { count: 6, first: '{missing}.nc ({missing} has no value)' }]]),
    );
    expect(seen.filter((p) => p.endsWith('grid.nc'))).toHaveLength(3);

    const sized = sizeTasks(loaded.tasks, {
      settings: (n) => (n.scaling ? { scaling: n.scaling } : undefined),
      inputBytes: (_t, i) => m.bytes(i),
    });
    // memory: 1G + 100M per item (inherited from the defaults); report's plain 2G replaces it.
    expect([...sized.requests.memory]).toEqual([1224, 1224, 1124, 2048]);
    // runtime: 60 s + 600 s per GiB: 3.25, 0.75 and 1.25 GiB.
    expect([...sized.requests.runtime]).toEqual([2010, 510, 810, 0]);
    expect(sized.spread.get('regrid')).toEqual({
      memory: { estimate: [1124, 1224], request: [1124, 1224] },
      runtime: { estimate: [510, 2010], request: [510, 2010] },
    });
    expect(loaded.campaign.nodes.get('report')!.scaling).toBeUndefined();
    expect(v('report')).toBe(3);
  });

  it('fits per item before per input GiB; one unit per node; a task counts its units', async () => {
    const { loaded } = await load(TEXT);
    const regrid = loaded.campaign.nodes.get('regrid')!;
    // Memory per item decides; runtime per input GiB is another unit: fitted as a plain maximum.
    expect(unitScalings(regrid.scaling)).toEqual({ memory: { unit: 'item', base: 1024 } });
    expect(unitScalings({ runtime: { base: 60, perItem: 0, perInputGiB: 600 } })).toEqual({
      runtime: { unit: 'input_gib', base: 60 },
    });
    expect(unitScalings({ memory: { base: 60, perItem: 0, perInputGiB: 0 } })).toBeUndefined();
    const [c0, , c2] = loaded.tasks.tasks;
    expect([taskUnits(c0!, 'item', undefined), taskUnits(c2!, 'item', undefined)]).toEqual([2, 1]);
    expect(taskUnits(c0!, 'input_gib', 3 * GIB)).toBe(3);
    // (100 + 600 × 2) × 1.2 = 1560 MiB; (60 + 300 × 1.5) × 1.2 = 612 s, to the minute: 660 s.
    expect(perUnitRequest(100, 600, 2, 20, 1)).toBe(1560);
    expect(perUnitRequest(60, 300, 1.5, 20, 60)).toBe(660);
  });
});
