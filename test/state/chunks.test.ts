import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => rig.cleanup());

/** A chunked fan-out whose items `skip_complete` leaves out once their outputs exist. */
const campaign = dedent(`
  [campaign]
  name = "chunks"
  [campaign.x]
  matrix = { i = [0, 1, 2, 3, 4, 5] }
  chunk = 3
  skip_complete = true
  outputs = ["out/{i}.txt"]
  command = "mkdir -p out; for i in $(node -e 'for (const it of require(process.env.CAMPAIGN_ITEMS)) console.log(it.values.i)'); do echo $i > out/$i.txt; done; echo chunk $CAMPAIGN_TASK_INDEX"
`);

describe('chunks whose items are all complete', () => {
  it('are still listed by status and found by logs', () => {
    rig.write('c.toml', campaign);
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    // Loaded again, the campaign has no task left for x: every item is complete.
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 0 of 0 selected tasks (0 up to date)\n',
    );
    const status = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout) as {
      totals: Record<string, number>;
      tasks: { id: string; state: string }[];
    };
    expect(status.tasks.map((t) => [t.id, t.state]).sort()).toEqual([
      ['x[chunk-0000]', 'succeeded'],
      ['x[chunk-0001]', 'succeeded'],
    ]);
    expect(status.totals.succeeded).toBe(2);
    expect(rig.run(['status', 'c.toml']).stdout).toContain('x                2          2');
    const logs = rig.run(['logs', 'x[chunk-0001]', 'c.toml']);
    expect(logs.stderr).toBe('');
    expect(logs.stdout).toBe('chunk 1\n');
  });
});
