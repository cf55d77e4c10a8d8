import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig();
afterAll(() => rig.cleanup());

describe('a memory size or duration without its unit: the suggestion writes the value with one', () => {
  it('a few units of memory are gigabytes, a long duration seconds', () => {
    rig.write(
      'few.toml',
      dedent(`
        [campaign]
        name = "c"
        [campaign.x]
        command = "true"
        resources = { memory = 4, runtime = 3600 }
      `),
    );
    const r = rig.run(['validate', 'few.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      dedent(`
        few.toml:5:24: error: \`memory\` must be a memory size with a unit, not the bare number 4 [bad-unit]
          5 | resources = { memory = 4, runtime = 3600 }
            |                        ^
          help: write it with a unit, such as "4G" or "4M"

        few.toml:5:37: error: \`runtime\` must be a duration with a unit, not the bare number 3600 [bad-unit]
          5 | resources = { memory = 4, runtime = 3600 }
            |                                     ^^^^
          help: write it with a unit, such as "3600s" (seconds) or "3600m" (minutes)

        2 errors
      `),
    );
  });

  it('a number in quotes gets the same suggestion as a bare one', () => {
    rig.write(
      'quoted.toml',
      dedent(`
        [campaign]
        name = "c"
        [campaign.x]
        command = "true"
        resources = { memory = "512", runtime = "90" }
      `),
    );
    const r = rig.run(['validate', 'quoted.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      dedent(`
        quoted.toml:5:24: error: \`memory\` must be a memory size with a unit, not "512" [bad-unit]
          5 | resources = { memory = "512", runtime = "90" }
            |                        ^^^^^
          help: write it with a unit, such as "512M" or "512G"

        quoted.toml:5:41: error: \`runtime\` must be a duration, not "90" [bad-unit]
          5 | resources = { memory = "512", runtime = "90" }
            |                                         ^^^^
          help: write it with a unit, such as "90m" (minutes) or "90s" (seconds)

        2 errors
      `),
    );
  });

  it('--set memory=512 suggests "512M"', () => {
    rig.write(
      'set.toml',
      dedent(`
        [campaign]
        name = "c"
        [campaign.x]
        command = "true"
        resources = { memory = "1G" }
      `),
    );
    const r = rig.run(['validate', 'set.toml', '--set', 'x.resources.memory=512']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      dedent(`
        --set:1:20: error: \`memory\` must be a memory size with a unit, not "512" [bad-unit]
          1 | x.resources.memory=512
            |                    ^^^
          help: write it with a unit, such as "512M" or "512G"

        1 error
      `),
    );
  });
});
