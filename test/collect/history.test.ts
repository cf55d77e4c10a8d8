import { readdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';

// `campaign history`: every run, retry and force, with who, where, when, the command line and
// the selection, read from the runs' journals.
const rig = new Rig('campaign-history-');
afterAll(() => rig.cleanup());

describe('campaign history', () => {
  it('lists every run, retry and force with who, where, the selection and the command line', () => {
    rig.write(
      'h/campaign.toml',
      '[campaign]\nname = "hist"\n\n[campaign.vars]\nok = "yes"\n\n[campaign.a]\ncommand = "true"\n\n[campaign.b]\ncommand = ["test", "${ok}", "=", "yes"]\n',
    );
    expect(rig.run(['run', 'h/campaign.toml', '--ui', 'plain', '--set', 'vars.ok=no']).code).toBe(1);
    expect(rig.run(['run', 'h/campaign.toml', '--ui', 'plain', '--retry-failed']).code).toBe(0);
    expect(
      rig.run(['run', 'h/campaign.toml', '--ui', 'plain', '--force', '--only', 'a', '--reason', 'new inputs'])
        .code,
    ).toBe(0);
    const by = `${userInfo().username}@${hostname()}`;
    const r = rig.run(['history', 'h/campaign.toml']);
    expect(r.code).toBe(0);
    const masked = r.stdout
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'YYYY-MM-DD hh:mm:ss')
      .replace(/\d{8}_\d{6}_run/g, 'RUN_')
      .replaceAll(by, 'USER@HOST');
    const rows = masked
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ {2,}/));
    expect(rows).toEqual([
      ['STARTED', 'RUN', 'ACTION', 'BY', 'STATUS', 'SELECTION', 'REASON', 'COMMAND'],
      [
        'YYYY-MM-DD hh:mm:ss',
        'RUN_001',
        'run',
        'USER@HOST',
        'failed',
        'all (2 tasks)',
        '-',
        'campaign run h/campaign.toml --ui plain --set vars.ok=no',
      ],
      [
        'YYYY-MM-DD hh:mm:ss',
        'RUN_002',
        'retry',
        'USER@HOST',
        'succeeded',
        '--retry-failed (2 tasks)',
        '-',
        'campaign run h/campaign.toml --ui plain --retry-failed',
      ],
      [
        'YYYY-MM-DD hh:mm:ss',
        'RUN_003',
        'force',
        'USER@HOST',
        'succeeded',
        '--force --only a (1 task)',
        'new inputs',
        "campaign run h/campaign.toml --ui plain --force --only a --reason 'new inputs'",
      ],
    ]);
    const json = JSON.parse(rig.run(['history', 'h/campaign.toml', '--json']).stdout) as Record<
      string,
      unknown
    >[];
    expect(json.map((e) => [e.action, e.status, e.selection, e.tasks])).toEqual([
      ['run', 'failed', [], 2],
      ['retry', 'succeeded', ['--retry-failed'], 2],
      ['force', 'succeeded', ['--force', '--only a'], 1],
    ]);
    expect(json[0]).toMatchObject({
      user: userInfo().username,
      host: hostname(),
      argv: ['campaign', 'run', 'h/campaign.toml', '--ui', 'plain', '--set', 'vars.ok=no'],
    });
    expect(Object.keys(json[0]!).slice(0, 4)).toEqual(['run', 'action', 'started', 'ended']);
    expect(json[2]).toMatchObject({ reason: 'new inputs' });

    // `campaign runs` says who and why too.
    const runs = rig
      .run(['runs', 'h/campaign.toml'])
      .stdout.replaceAll(by, 'USER@HOST')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ {2,}/));
    expect(runs.map((r) => r.slice(3))).toEqual([
      ['STATUS', 'TASKS', 'WHO', 'WHY'],
      ['failed', '1 succeeded, 1 failed', 'USER@HOST'],
      ['succeeded', '2 succeeded', 'USER@HOST'],
      ['succeeded', '1 succeeded', 'USER@HOST', 'new inputs'],
    ]);
  }, 180_000);

  it('records a cancel of a running head with who, where, the command line and why', async () => {
    rig.write(
      'c/campaign.toml',
      '[campaign]\nname = "cx"\n\n[campaign.a]\ncommand = "true"\n\n[campaign.hold]\ncommand = "sleep 600"\ndepends_on = ["a"]\n',
    );
    const head = rig.start(['run', 'c/campaign.toml', '--ui', 'plain']);
    // Wait, with a deadline, until the head runs `hold`.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const s = rig.run(['status', 'c/campaign.toml', '--json']);
      const status =
        s.code === 0 ? (JSON.parse(s.stdout) as { tasks: { id: string; state: string }[] }) : null;
      if (status?.tasks.find((t) => t.id === 'hold')?.state === 'running') break;
      if (Date.now() > deadline) throw new Error(`hold never ran: ${JSON.stringify(head.output())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const c = rig.run(['cancel', 'c/campaign.toml', '--reason', 'wrong DEM tiles']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^cancelling run \d{8}_\d{6}_run001 \(pid \d+ on .*\)\ncancelled\n$/);
    const ended = await head.done;
    expect(ended.code).toBe(130);

    const by = `${userInfo().username}@${hostname()}`;
    const r = rig.run(['history', 'c/campaign.toml']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'YYYY-MM-DD hh:mm:ss')
      .replace(/\d{8}_\d{6}_run/g, 'RUN_')
      .replaceAll(by, 'USER@HOST')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ {2,}/));
    expect(rows).toEqual([
      ['STARTED', 'RUN', 'ACTION', 'BY', 'STATUS', 'SELECTION', 'REASON', 'COMMAND'],
      [
        'YYYY-MM-DD hh:mm:ss',
        'RUN_001',
        'run',
        'USER@HOST',
        'cancelled',
        'all (2 tasks)',
        '-',
        'campaign run c/campaign.toml --ui plain',
      ],
      [
        'YYYY-MM-DD hh:mm:ss',
        'RUN_001',
        'cancel',
        'USER@HOST',
        'cancelled',
        'all (2 tasks)',
        'wrong DEM tiles',
        "campaign cancel c/campaign.toml --reason 'wrong DEM tiles'",
      ],
    ]);
    // No run of its own: the cancel is recorded in the folder of the run it stopped.
    expect(readdirSync(rig.path('c/.campaign/campaign/runs'))).toHaveLength(1);
    const json = JSON.parse(rig.run(['history', 'c/campaign.toml', '--json']).stdout) as Record<
      string,
      unknown
    >[];
    expect(json).toHaveLength(2);
    const [run, cancel] = json as [Record<string, unknown>, Record<string, unknown>];
    expect(cancel).toEqual({
      run: run.run,
      action: 'cancel',
      started: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      ended: run.ended,
      user: userInfo().username,
      host: hostname(),
      argv: ['campaign', 'cancel', 'c/campaign.toml', '--reason', 'wrong DEM tiles'],
      selection: [],
      tasks: 2,
      reason: 'wrong DEM tiles',
      status: 'cancelled',
    });
    expect(String(cancel.started) >= String(run.started)).toBe(true);
    expect(String(cancel.started) <= String(run.ended)).toBe(true);
  }, 240_000);
});
