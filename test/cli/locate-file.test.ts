import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

// One rule for every command without FILE: the latest run's file, else ./campaign.toml
// (.yaml, .yml), else the only campaign file here.
let rig: Rig;
beforeEach(() => {
  rig = new Rig('campaign-locate-');
});
afterEach(() => rig.cleanup());

const CAMPAIGN = dedent(`
  [campaign]
  name = "here"
  [campaign.hello]
  command = "echo hello"
`);

describe('a command without FILE', () => {
  it('run picks up ./campaign.toml beside other campaign files', () => {
    rig.write('campaign.toml', CAMPAIGN);
    rig.write('other.toml', CAMPAIGN.replace('"here"', '"other"'));
    const dry = rig.run(['run', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toBe('would run 1 of 1 selected task (0 up to date):\n  hello  new\n');
    const r = rig.run(['run', '--ui', 'plain']);
    expect(r.code).toBe(0);
    expect(rig.run(['logs', 'hello']).stdout).toBe('hello\n');
  });

  it('run, validate, graph and expand pick up ./campaign.yaml', () => {
    rig.write('campaign.yaml', 'campaign:\n  name: here\n  hello:\n    command: echo hello\n');
    rig.write('notes.yml', 'not: a campaign\n');
    expect(rig.run(['run', '--dry-run']).stdout).toBe(
      'would run 1 of 1 selected task (0 up to date):\n  hello  new\n',
    );
    expect(rig.run(['validate']).stdout).toBe('campaign.yaml: ok (1 node, 0 groups, 0 edges)\n');
    expect(rig.run(['graph', '--json']).code).toBe(0);
    const expand = rig.run(['expand']);
    expect(expand.stderr).toBe('campaign: campaign.yaml has no fan-out\n');
    expect(expand.code).toBe(2);
  });

  it('with no campaign file here, says how to give one', () => {
    rig.write('a.toml', CAMPAIGN);
    rig.write('b.toml', CAMPAIGN);
    const r = rig.run(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'campaign: give the campaign FILE: no run is recorded here to take it from, and there is no campaign.toml, campaign.yaml, campaign.yml here\n',
    );
  });
});
