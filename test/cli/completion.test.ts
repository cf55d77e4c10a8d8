import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bin, dedent, Rig } from '../rig.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
  rig.write(
    'campaign.toml',
    dedent(`
      [campaign]
      name = "c"
      [campaign.prep]
      command = "true"
      [campaign.sims]
      depends_on = ["prep"]
      [campaign.sims.member]
      command = "true"
      matrix = { i = [1, 2] }
      [campaign.report]
      command = "true"
      depends_on = ["sims"]
    `),
  );
  // `campaign` on PATH, as the scripts call it.
  rig.write('bin/campaign', `#!/bin/sh\nexec ${process.execPath} ${bin} "$@"\n`);
  spawnSync('chmod', ['+x', rig.path('bin/campaign')]);
});
afterEach(() => rig.cleanup());

/** What bash completes for the words typed so far (the last one being completed). */
function complete(...words: string[]): string[] {
  return completeIn(rig.dir, ...words);
}

/** What bash completes in folder `cwd`. */
function completeIn(cwd: string, ...words: string[]): string[] {
  const script = rig.run(['completion', 'bash']).stdout;
  rig.write('completion.bash', script);
  const line = ['campaign', ...words];
  const r = spawnSync(
    'bash',
    [
      '-c',
      `source ${rig.path('completion.bash')}; COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _campaign; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${rig.path('bin')}:${process.env.PATH}` },
    },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('campaign completion', () => {
  it('bash completes commands, each command’s options, and the campaign’s ids', () => {
    expect(complete('st')).toEqual(['status']);
    expect(complete('c')).toEqual(['cancel', 'cluster', 'collect', 'completion']);
    expect(complete('run', '--fo')).toEqual(['--force']);
    expect(complete('validate', '--f')).toEqual(['--format']);
    expect(complete('run', 'campaign.toml', '--only', 's')).toEqual([
      'sims',
      'sims.member',
      'sims.member[1]',
      'sims.member[2]',
    ]);
    expect(complete('logs', 'rep')).toEqual(['report']);
  });

  it('bash completes every command of `campaign --help` and the options of each usage', () => {
    const help = rig.run(['--help']).stdout;
    const listed = help
      .slice(help.indexOf('Commands:\n') + 'Commands:\n'.length)
      .split('\n\n')[0]!
      .split('\n')
      .map((l) => l.trim().split(' ')[0]!);
    expect(listed).toEqual(
      expect.arrayContaining(['validate', 'plan', 'run', 'status', 'logs', 'report', 'trace', 'completion']),
    );
    expect(complete('')).toEqual([...listed].sort());
    expect(complete('report', '--')).toEqual([
      '--all-runs',
      '--help',
      '--json',
      '--out',
      '--run',
      '--state-dir',
    ]);
    expect(complete('trace', '--f')).toEqual(['--format']);
  });

  it('bash completes ids for --from, --until, --force and expand too', () => {
    expect(complete('run', '--from', 'r')).toEqual(['report']);
    expect(complete('plan', 'campaign.toml', '--until', 'p')).toEqual(['prep']);
    expect(complete('run', '--force', 'sims.member[')).toEqual(['sims.member[1]', 'sims.member[2]']);
    expect(complete('expand', 'campaign.toml', 'sims.m')).toEqual([
      'sims.member',
      'sims.member[1]',
      'sims.member[2]',
    ]);
  });

  it('ids come from the campaign file of the current folder (TOML or YAML), none where there is none', () => {
    rig.write(
      'other/campaign.yaml',
      dedent(`
        campaign:
          name: other
          fetch:
            command: "true"
          fit:
            command: "true"
            depends_on: [fetch]
            matrix: { k: [a, b] }
      `),
    );
    expect(completeIn(rig.path('other'), 'run', '--only', 'f')).toEqual(['fetch', 'fit', 'fit[a]', 'fit[b]']);
    expect(completeIn(rig.path('other'), 'run', '--only', 's')).toEqual([]);
    mkdirSync(rig.path('empty'));
    expect(completeIn(rig.path('empty'), 'run', '--only', '')).toEqual([]);
    const none = spawnSync(process.execPath, [bin, 'completion', '--ids'], {
      cwd: rig.path('empty'),
      encoding: 'utf8',
    });
    expect([none.status, none.stdout, none.stderr]).toEqual([0, '', '']);
  });

  it('--ids lists node and task ids of the campaign file here', () => {
    const r = rig.run(['completion', '--ids']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('prep\nsims\nsims.member\nreport\nsims.member[1]\nsims.member[2]\n');
  });

  it('prints zsh and fish scripts; an unknown shell is a usage error', () => {
    const zsh = rig.run(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef campaign');
    expect(zsh.stdout).toContain("'status:show tasks by state, per subcampaign'");
    const fish = rig.run(['completion', 'fish']);
    expect(fish.stdout).toContain(
      'complete -c campaign -n "__fish_seen_subcommand_from run" -l only -x -a "(campaign completion --ids 2>/dev/null)"',
    );
    const bad = rig.run(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('campaign: completion needs one shell: bash, zsh or fish');
  });
});
