import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

// One way to name tasks everywhere: `logs TASK` resolves a name as `--only` does.
const rig = new Rig('campaign-names-');
beforeAll(() => {
  rig.write(
    'campaign.toml',
    dedent(`
      [campaign]
      name = "names"
      [campaign.prep]
      command = "echo prep"
      [campaign.pipeline.process]
      command = "echo processing {country}"
      matrix = { country = ["ZAF", "KEN"] }
      depends_on = ["prep"]
    `),
  );
  const r = rig.run(['run', 'campaign.toml', '--ui', 'plain']);
  expect(r.code).toBe(0);
});
afterAll(() => rig.cleanup());

describe('logs names a task as --only does', () => {
  it('a bare node name with an instance', () => {
    const r = rig.run(['logs', 'process[ZAF]', 'campaign.toml']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('processing ZAF\n');
    expect(r.code).toBe(0);
  });

  it('the full task id, and a node path of one task', () => {
    expect(rig.run(['logs', 'pipeline.process[KEN]', 'campaign.toml']).stdout).toBe('processing KEN\n');
    expect(rig.run(['logs', 'prep', 'campaign.toml']).stdout).toBe('prep\n');
  });

  it('a name of several tasks lists them', () => {
    const r = rig.run(['logs', 'process', 'campaign.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "campaign: 'process' names 2 tasks (pipeline.process[ZAF], pipeline.process[KEN]); give one of them\n",
    );
  });

  it('an unknown name suggests the nearest, as --only does', () => {
    const r = rig.run(['logs', 'procss', 'campaign.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("campaign: no task 'procss' in campaign.toml; did you mean 'process'?\n");
    const only = rig.run(['run', 'campaign.toml', '--only', 'procss', '--dry-run']);
    expect(only.code).toBe(2);
    expect(only.stderr).toBe("campaign: no task matches 'procss'; did you mean 'process'?\n");
  });

  it('--only takes the same name and selects the same task', () => {
    const r = rig.run(['run', 'campaign.toml', '--only', 'process[ZAF]', '--dry-run', '--force']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'would run 1 of 1 selected task (0 up to date):\n  pipeline.process[ZAF]  forced\n',
    );
  });
});
