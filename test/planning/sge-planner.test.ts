import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rig } from '../rig.js';
import { assertSge, cleanQueue, describeSge, UNIQUE } from '../sge/helpers.js';

/** The planner's requests reach the real local Grid Engine: the queue it chose and the sized memory. */
const rig = new Rig('campaign-sge-planner-');
const name = `pq${UNIQUE}`;
beforeAll(() => assertSge());
afterAll(() => {
  cleanQueue(name);
  rig.cleanup();
});

const env = { SGE_ROOT: process.env.SGE_ROOT, SGE_CELL: process.env.SGE_CELL };

describeSge('a Grid Engine run takes its requests from the planner', () => {
  it('qsub gets the probed queue and the memory with its headroom', () => {
    const probe = rig.run(['cluster', 'probe', '--scheduler', 'sge', '--out', 'clusters/sge.toml'], { env });
    expect(probe.code).toBe(0);
    const queue = /name = "([^"]+)"/.exec(rig.read('clusters/sge.toml'))![1]!;
    rig.write(
      's.toml',
      `[campaign]\nname = "${name}"\ncluster = "clusters/sge.toml"\n[campaign.scheduler]\ntype = "sge"\npoll_interval = "1s"\n` +
        `[campaign.a]\ncommand = "true"\nheadroom = { memory = "50%" }\nresources = { memory = "100M", runtime = "5m" }\n`,
    );
    const r = rig.run(['run', 's.toml', '--ui', 'plain'], { env, timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = rig.path('.campaign/s/runs');
    const run = readdirSync(dir)[0]!;
    const sh = readdirSync(join(dir, run, 'sge')).filter((f) => f.endsWith('.sh'));
    expect(sh).toHaveLength(1);
    const script = readFileSync(join(dir, run, 'sge', sh[0]!), 'utf8');
    // 100M + 50% = 150M; the time limit is the runtime x 2 and the launcher's grace.
    expect(script).toContain(` -q ${queue} -l h_rt=0:10:15,h_vmem=150M `);
    expect(script).toContain('export CAMPAIGN_MEMORY_MB=150\n');
  }, 300_000);
});
