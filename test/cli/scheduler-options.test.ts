import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';

const rig = new Rig();
afterAll(() => rig.cleanup());

const file = (scheduler: string, node = '') =>
  `[campaign]\nname = "x"\n[campaign.scheduler]\n${scheduler}\n[campaign.a]\ncommand = "true"\n${node}`;

describe('scheduler options the chosen adapter does not understand', () => {
  it('is an error at its position, with the option the adapter spells for it', () => {
    rig.write('q.toml', file('type = "slurm"\nqueue = "all.q"'));
    const r = rig.run(['validate', 'q.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'q.toml:5:1: error: `queue` is an option of sge, not of the slurm scheduler this run uses [unknown-scheduler-option]',
        '  5 | queue = "all.q"',
        '    | ^^^^^',
        '  help: on slurm this is `partition`; if the file is meant for sge too, say so in [campaign.scheduler]: targets = ["sge"], or remove it',
        '',
        '1 error',
        '',
      ].join('\n'),
    );
  });

  it("is an error in a node's own scheduler table and for an adapter setting of another scheduler", () => {
    rig.write('n.toml', file('type = "slurm"\npe = "smp"', 'scheduler = { project = "p1" }\n'));
    const r = rig.run(['validate', 'n.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'n.toml:5:1: error: `pe` is an option of sge, not of the slurm scheduler this run uses [unknown-scheduler-option]',
        '  5 | pe = "smp"',
        '    | ^^',
        '  help: if the file is meant for sge too, say so in [campaign.scheduler]: targets = ["sge"], or remove it',
        '',
        'n.toml:8:15: error: `project` is an option of sge, not of the slurm scheduler this run uses [unknown-scheduler-option]',
        '  8 | scheduler = { project = "p1" }',
        '    |               ^^^^^^^',
        '  help: on slurm this is `account`; if the file is meant for sge too, say so in [campaign.scheduler]: targets = ["sge"], or remove it',
        '',
        '2 errors',
        '',
      ].join('\n'),
    );
  });

  it('is a warning where the file says it is meant for a scheduler that understands it', () => {
    rig.write('t.toml', file('type = "local"\ntargets = ["sge"]\nqueue = "all.q"\nproject = "p"'));
    const r = rig.run(['validate', 't.toml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('t.toml: ok (1 node, 0 groups, 0 edges)\n');
    expect(r.stderr).toBe(
      [
        't.toml:6:1: warning: `queue` is an option of sge, which this file is also meant for; the local scheduler this run uses ignores it [unknown-scheduler-option]',
        '  6 | queue = "all.q"',
        '    | ^^^^^',
        '',
        't.toml:7:1: warning: `project` is an option of sge, which this file is also meant for; the local scheduler this run uses ignores it [unknown-scheduler-option]',
        '  7 | project = "p"',
        '    | ^^^^^^^',
        '',
        '2 warnings',
        '',
      ].join('\n'),
    );
    // Switched to Grid Engine, the same file is clean.
    const s = rig.run(['validate', 't.toml', '--set', 'scheduler.type=sge']);
    expect(s.code).toBe(0);
    expect(s.stderr).toBe('');
  });

  it('accepts every option the chosen adapter understands', () => {
    rig.write(
      'ok.toml',
      file(
        'type = "sge"\nqueue = "all.q"\nproject = "p"\npe = "smp"\nmemory_complex = "mem_free"\nmemory_per_slot = false\ngpu_complex = "gpu"\npoll_interval = "2s"\nsubmit_rate = 5\ndirectives = ["-l", "arch=lx-amd64"]',
      ),
    );
    const r = rig.run(['validate', 'ok.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
