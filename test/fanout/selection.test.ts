import { afterAll, describe, expect, it } from 'vitest';
import { Action, parseIndexRange, planRun } from '../../src/exec/select.js';
import { loadCampaign } from '../../src/model/load.js';
import type { StateStore } from '../../src/state/store.js';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-select-');
afterAll(() => rig.cleanup());

const CAMPAIGN = dedent(`
  [campaign]
  name = "batch"

  [campaign.prep]
  command = "true"

  [campaign.ws]
  foreach = "runs.csv"
  id = "{run}"
  depends_on = ["prep"]
  [campaign.ws.climate]
  command = "true"
  [campaign.ws.wepp]
  command = "true"
  depends_on = ["climate"]

  [campaign.draws]
  matrix = { basin = ["EP", "NA"], draw = "0..9" }
  chunk = 5
  command = "true"
`);

rig.write('runs.csv', 'run,region\nhuc-1201,17\nhuc-1202,17\nhuc-1301,16\nhuc-1302,16\n');
rig.write('campaign.toml', CAMPAIGN);

/** The ids `run --dry-run` would run. */
function dry(...args: string[]): string[] {
  const r = rig.run(['run', 'campaign.toml', '--dry-run', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0]!);
}

describe('--only selects instances', () => {
  it('by value: key=glob on the instance values', () => {
    expect(dry('--only', 'ws.wepp[run=huc-12*]')).toEqual(['ws.wepp[huc-1201]', 'ws.wepp[huc-1202]']);
    expect(dry('--only', 'ws[region=16]')).toEqual([
      'ws.climate[huc-1301]',
      'ws.climate[huc-1302]',
      'ws.wepp[huc-1301]',
      'ws.wepp[huc-1302]',
    ]);
  });

  it('by instance id, and by the name of a node anywhere when no path from the root matches', () => {
    expect(dry('--only', 'wepp[huc-13*]')).toEqual(['ws.wepp[huc-1301]', 'ws.wepp[huc-1302]']);
    expect(dry('--only', 'ws.climate[huc-1202]')).toEqual(['ws.climate[huc-1202]']);
  });

  it('a chunk matches when one of its items does', () => {
    expect(dry('--only', 'draws[basin=NA,draw=0]')).toEqual(['draws[chunk-0002]']);
    expect(dry('--only', 'draws[EP-9]')).toEqual(['draws[chunk-0001]']);
  });

  it('--from with an instance: it and what depends on it', () => {
    expect(dry('--from', 'ws.climate[huc-1201]')).toEqual(['ws.climate[huc-1201]', 'ws.wepp[huc-1201]']);
  });

  it('says what is wrong with a selector that matches nothing', () => {
    const bad = (p: string) => rig.run(['run', 'campaign.toml', '--dry-run', '--only', p]).stderr;
    expect(bad('ws.wepp[rn=x]')).toBe(
      "campaign: the instances of 'ws.wepp' have no 'rn'; they have run, region; did you mean 'run'?\n",
    );
    expect(bad('ws.wepp[run=nope*]')).toBe("campaign: no instance of 'ws.wepp' matches [run=nope*]\n");
    expect(bad('wep[huc-1201]')).toBe("campaign: no task matches 'wep[huc-1201]'; did you mean 'wepp'?\n");
  });
});

describe('Selection.index (--index): positions within fanned-out nodes', () => {
  const store = { tasks: new Map() } as unknown as StateStore;

  it('parses a position, a range, and open ranges', () => {
    expect(parseIndexRange('5')).toEqual({ from: 5, to: 5 });
    expect(parseIndexRange('10..20')).toEqual({ from: 10, to: 20 });
    expect(parseIndexRange('3..')).toEqual({ from: 3, to: Number.MAX_SAFE_INTEGER });
    expect(parseIndexRange('..2')).toEqual({ from: 0, to: 2 });
    expect(parseIndexRange('2..1')).toBe('--index 2..1 is empty: it ends before it starts');
    expect(parseIndexRange('a')).toBe('--index takes a position or a range such as 10..20, not "a"');
  });

  it('keeps the instances (and chunks) at those positions; nodes without fan-out are not affected', async () => {
    const loaded = await loadCampaign(rig.path('campaign.toml'));
    if (!loaded.ok) throw new Error('did not load');
    const { tasks } = loaded.value;
    const selected = (sel: Parameters<typeof planRun>[2]) => {
      const r = planRun(tasks, store, sel);
      if (!r.ok) return r.message;
      return tasks.tasks.filter((_, v) => r.plan.action[v] === Action.Run).map((t) => t.id);
    };
    expect(selected({ index: { from: 1, to: 2 } })).toEqual([
      'prep',
      'ws.climate[huc-1202]',
      'ws.climate[huc-1301]',
      'ws.wepp[huc-1202]',
      'ws.wepp[huc-1301]',
      'draws[chunk-0001]',
      'draws[chunk-0002]',
    ]);
    expect(selected({ only: ['ws.wepp'], index: { from: 3, to: 3 } })).toEqual(['ws.wepp[huc-1302]']);
    expect(selected({ only: ['ws.wepp'], index: { from: 7, to: 9 } })).toBe(
      'no selected fanned-out task is at --index 7..9',
    );
  });
});
