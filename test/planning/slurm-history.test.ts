import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rig } from '../rig.js';
import { assertSlurm, describeSlurm, liveJobs, UNIQUE } from '../slurm/helpers.js';
import { writeHistory } from './history-fixture.js';

/** The planner's requests reach the real local Slurm: the generated script's directives. */
const rig = new Rig('campaign-slurm-history-');
const name = `rs${UNIQUE}`;
beforeAll(() => assertSlurm());
afterAll(() => rig.cleanup());

/** Every batch script the run wrote under its state directory. */
function scripts(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sh')) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const campaign = (stem: string) => `[campaign]
name = "${name}${stem}"
cluster = "clusters/local.toml"

[campaign.scheduler]
type = "slurm"
poll_interval = "1s"

[campaign.sim]
matrix = { i = "0..9" }
command = "true"
resources = { cores = 1, memory = "4G", runtime = "2h" }

[campaign.tiny]
command = "true"
resources = { memory = "1G", runtime = "10m" }
`;

describeSlurm('--apply-history on the real local Slurm', () => {
  afterAll(() => {
    const ids = liveJobs(name);
    if (ids.length > 0) rig.run(['cancel', 'a.toml']);
  }, 300_000);

  it('the script asks for the suggested memory and time, on the partition the planner chose', () => {
    const probe = rig.run(['cluster', 'probe', '--scheduler', 'slurm', '--out', 'clusters/local.toml']);
    expect(probe.code).toBe(0);
    const partition = /name = "([^"]+)"/.exec(rig.read('clusters/local.toml'))![1]!;

    // Without history: the declared 4G and 2h x 2 for the time limit.
    rig.write('d.toml', campaign('d'));
    writeHistory(rig, 'd');
    const declared = rig.run(['run', 'd.toml', '--ui', 'plain', '--only', 'sim[4]'], { timeout: 240_000 });
    expect(declared.stderr).toBe('');
    expect(declared.code).toBe(0);
    const before = scripts(rig.path('.campaign/d'));
    expect(before).toHaveLength(1);
    expect(before[0]).toContain('#SBATCH --mem=4096M\n');
    expect(before[0]).toContain(`#SBATCH --partition=${partition}\n`);

    rig.write('a.toml', campaign('a'));
    writeHistory(rig, 'a');
    const r = rig.run(['run', 'a.toml', '--ui', 'plain', '--only', 'sim[4]', '--apply-history'], {
      timeout: 240_000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'history: sim (4 samples): memory 2458M (was 4G), runtime 1h (was 2h)\n' +
        'history: tiny (1 sample): memory as declared (too few samples), runtime as declared (too few samples)\n',
    );
    const after = scripts(rig.path('.campaign/a'));
    expect(after).toHaveLength(1);
    expect(after[0]).toContain('#SBATCH --mem=2458M\n');
    expect(after[0]).toContain(`#SBATCH --partition=${partition}\n`);
    expect(after[0]).not.toContain('--mem=4096M');
    const s = JSON.parse(rig.run(['status', 'a.toml', '--json']).stdout) as {
      tasks: { id: string; attempts?: { requested: Record<string, number> }[] }[];
    };
    expect(s.tasks.find((t) => t.id === 'sim[4]')!.attempts!.at(-1)!.requested).toEqual({
      cores: 1,
      memory_bytes: 2458 * 1024 * 1024,
      runtime_s: 3600,
      limit_s: 7200,
    });
  }, 300_000);
});
