import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

// Every command that prints something a tool would read takes --json; where a command has
// several formats, --json is --format json.
const rig = new Rig('campaign-json-');
beforeAll(() => {
  rig.write(
    'campaign.toml',
    dedent(`
      [campaign]
      name = "j"
      [campaign.prep]
      command = "true"
      [campaign.sims]
      command = "true"
      matrix = { i = [1, 2] }
      depends_on = ["prep"]
    `),
  );
});
afterAll(() => rig.cleanup());

function json(args: string[]): unknown {
  const r = rig.run(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('--json', () => {
  for (const command of ['validate', 'graph', 'expand']) {
    it(`${command}: --json is --format json`, () => {
      const a = rig.run([command, 'campaign.toml', '--json']);
      const b = rig.run([command, 'campaign.toml', '--format', 'json']);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      JSON.parse(a.stdout);
    });
  }

  it('validate --json gives the file, its diagnostics and counts', () => {
    expect(json(['validate', 'campaign.toml', '--json'])).toEqual({
      file: 'campaign.toml',
      ok: true,
      errors: 0,
      warnings: 0,
      diagnostics: [],
      nodes: 2,
      edges: 1,
    });
  });

  it('run --dry-run --json lists what would run and why', () => {
    expect(json(['run', 'campaign.toml', '--dry-run', '--json'])).toEqual({
      run: [
        { id: 'prep', reason: 'new' },
        { id: 'sims[1]', reason: 'new' },
        { id: 'sims[2]', reason: 'new' },
      ],
      selected: 3,
      up_to_date: 0,
    });
  });

  it('run --json streams the run as JSON events; runs, trace and report take --json', () => {
    const r = rig.run(['run', 'campaign.toml', '--json']);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; reason: string; id?: string; status?: string });
    expect(events[0]).toMatchObject({ type: 'run', reason: 'started' });
    expect(events.at(-1)).toMatchObject({ type: 'run', reason: 'finished', status: 'succeeded' });
    const succeeded = events.filter((e) => e.type === 'task' && e.reason === 'succeeded').map((e) => e.id);
    expect(succeeded.sort()).toEqual(['prep', 'sims[1]', 'sims[2]']);

    const runs = json(['runs', 'campaign.toml', '--json']) as { status: string }[];
    expect(runs.map((x) => x.status)).toEqual(['succeeded']);
    const trace = json(['trace', 'campaign.toml', '--json']) as { task: string }[];
    expect(trace.map((x) => x.task).sort()).toEqual(['prep', 'sims[1]', 'sims[2]']);
    expect(rig.run(['trace', 'campaign.toml', '--json']).stdout).toBe(
      rig.run(['trace', 'campaign.toml', '--format', 'json']).stdout,
    );
    const report = json(['report', 'campaign.toml', '--out', 'r.html', '--json']) as Record<string, unknown>;
    expect(report).toEqual({
      run: (runs[0] as unknown as { id: string }).id,
      status: 'succeeded',
      path: rig.path('r.html'),
      bytes: Buffer.byteLength(rig.read('r.html')),
    });
  });

  it('--json with another --format is a usage error', () => {
    const r = rig.run(['graph', 'campaign.toml', '--json', '--format', 'dot']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('campaign: --json and --format dot ask for different outputs: give one\n');
    const v = rig.run(['validate', 'campaign.toml', '--json', '--format', 'text']);
    expect(v.code).toBe(2);
  });
});
