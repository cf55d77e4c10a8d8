import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';

// `{run}` in command, env, workdir, outputs and setup, for plain and fanned-out nodes; bound when
// an attempt is prepared, so ids, definition hashes and up-to-dateness do not change with it.
const rig = new Rig('campaign-run-ref-');
afterAll(() => rig.cleanup());

const runIdOf = (stdout: string) => /run (\d{8}_\d{6}_run\d+) of/.exec(stdout)![1]!;

describe('{run}', () => {
  it('is the run id in command, env, workdir, outputs and setup, and $CAMPAIGN_RUN_ID is set', () => {
    rig.write(
      'a/campaign.toml',
      `[campaign]
name = "runref"

[campaign.plain]
command = "echo \\"$CAMPAIGN_RUN_ID $TAG $(basename $PWD)\\" > out_{run}.txt"
env = { TAG = "tag-{run}" }
workdir = "work/{run}"
outputs = ["out_{run}.txt"]

[campaign.fan]
matrix = { x = [1, 2] }
skip_complete = true
setup = ["mkdir -p fan/{run}"]
command = ["sh", "-c", "echo $0 $TAG > fan/{run}/{x}.txt", "{x}"]
env = { TAG = "t{run}" }
outputs = ["fan/{run}/{x}.txt"]
`,
    );
    const plan = rig.run(['plan', 'a/campaign.toml']);
    expect(plan.stdout).toContain('run        echo "$CAMPAIGN_RUN_ID $TAG $(basename $PWD)" > out_{run}.txt');
    expect(plan.stdout).toContain('outputs    fan/{run}/{x}.txt');
    const r = rig.run(['run', 'a/campaign.toml', '--ui', 'plain']);
    expect(r.code, r.stderr).toBe(0);
    const id = runIdOf(r.stdout);
    expect(rig.read(`a/work/${id}/out_${id}.txt`)).toBe(`${id} tag-${id} ${id}\n`);
    expect(rig.read(`a/fan/${id}/1.txt`)).toBe(`1 t${id}\n`);
    expect(rig.read(`a/fan/${id}/2.txt`)).toBe(`2 t${id}\n`);
    expect(readdirSync(rig.path('a/work'))).toEqual([id]);

    // The next run finds everything done: a new run id changes no task.
    const again = rig.run(['run', 'a/campaign.toml', '--dry-run']);
    expect(again.stdout).toBe('would run 0 of 1 selected task (1 up to date)\n');
    // skip_complete counts an item done in an earlier run as done.
    expect(rig.run(['expand', 'a/campaign.toml']).stdout).toContain(
      'fan: 0 tasks (2 complete, left out: 1, 2)',
    );
  });

  it('a resumed campaign reruns only what did not succeed, under the new run id', () => {
    rig.write(
      'b/campaign.toml',
      `[campaign]
name = "resume"

[campaign.vars]
fail = "no"

[campaign.good]
command = "echo ok > good_{run}.txt"
outputs = ["good_{run}.txt"]

[campaign.flaky]
command = ["sh", "-c", "test \${fail} = no && echo ok > flaky_{run}.txt"]
outputs = ["flaky_{run}.txt"]
`,
    );
    const first = rig.run(['run', 'b/campaign.toml', '--ui', 'plain', '--set', 'vars.fail=yes']);
    expect(first.code).toBe(1);
    const r1 = runIdOf(first.stdout);
    expect(rig.run(['run', 'b/campaign.toml', '--dry-run', '--set', 'vars.fail=yes']).stdout).toBe(
      'would run 1 of 2 selected tasks (1 up to date):\n  flaky  failed\n',
    );
    const second = rig.run(['run', 'b/campaign.toml', '--ui', 'plain']);
    expect(second.code, second.stderr).toBe(0);
    const r2 = runIdOf(second.stdout);
    expect(
      readdirSync(rig.path('b'))
        .filter((f) => f.endsWith('.txt'))
        .sort(),
    ).toEqual([`flaky_${r2}.txt`, `good_${r1}.txt`]);
    // A new assembly is asked for: --force.
    const third = rig.run(['run', 'b/campaign.toml', '--ui', 'plain', '--force', '--only', 'good']);
    expect(third.code).toBe(0);
    const r3 = runIdOf(third.stdout);
    expect(rig.read(`b/good_${r3}.txt`)).toBe('ok\n');
  });

  it("is bound in the outputs and check the head verifies locally, to the attempt's run", () => {
    rig.write(
      'c/campaign.toml',
      `[campaign]
name = "runcheck"

[campaign.made]
command = "echo ok > made_{run}.txt"
outputs = ["made_{run}.txt"]
check = ["sh", "-c", "grep -q ok made_{run}.txt && [ \\"$CAMPAIGN_RUN_ID\\" = \\"$0\\" ]", "{run}"]

[campaign.missing]
command = "echo ok > other.txt"
outputs = ["missing_{run}.txt"]
`,
    );
    const r = rig.run(['run', 'c/campaign.toml', '--ui', 'plain']);
    expect(r.code).toBe(1);
    const id = runIdOf(r.stdout);
    expect(r.stdout).toMatch(/succeeded {2}made in /);
    expect(r.stdout).toContain(`failed     missing: missing output missing_${id}.txt`);
  });

  it('takes no format, and is no part of an instance id', () => {
    rig.write(
      'c/campaign.toml',
      '[campaign]\nname = "bad"\n\n[campaign.b]\nmatrix = { x = [1, 2] }\ncommand = "echo {run:upper} {x}"\n',
    );
    const r = rig.run(['validate', 'c/campaign.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'c/campaign.toml:6:17: error: `{run:upper}` in `command`: the run id takes no format [bad-template]',
        '  6 | command = "echo {run:upper} {x}"',
        '    |                 ^^^^^^^^^^^',
        '  help: write `{run}`; it becomes the run id as it is (`20261201_093000_run004`)',
        '',
        '1 error',
        '',
      ].join('\n'),
    );
    rig.write(
      'd/campaign.toml',
      '[campaign]\nname = "bad"\n\n[campaign.a]\nmatrix = { x = [1, 2] }\nid = "{run}-{x}"\ncommand = "echo {x}"\n',
    );
    const id = rig.run(['validate', 'd/campaign.toml']);
    expect(id.code).toBe(2);
    expect(id.stderr).toContain(
      'd/campaign.toml:6:7: error: `{run}` in the id is not a value of the items; the items have `x` [unknown-placeholder]',
    );
  });
});
