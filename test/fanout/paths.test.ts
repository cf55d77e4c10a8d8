import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-paths-');
afterAll(() => rig.cleanup());

const escaped = join(tmpdir(), `escaped-wd-${process.pid}-${Date.now()}`);

describe('values substituted into paths stay inside the campaign folder', () => {
  it('a data value that climbs out of the workdir is refused before anything runs', () => {
    // From runs/, the value leads to a folder beside the rig, outside the campaign.
    const out = relative(rig.path('runs'), escaped);
    rig.write('data/sites.csv', `site\nok\n${out}\n`);
    rig.write(
      'campaign.toml',
      dedent(`
        [campaign]
        name = "paths"
        [campaign.a]
        foreach = "data/sites.csv"
        workdir = "runs/{site}"
        command = "mkdir -p . && touch ran"
      `),
    );
    const r = rig.run(['run', 'campaign.toml', '--ui', 'plain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `campaign.toml:5:17: error: item 1 (data/sites.csv line 3): \`{site}\` in \`workdir\` is \`${out}\`, which has a \`..\` segment and would lead out of the campaign folder [unsafe-path]`,
    );
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(existsSync(escaped)).toBe(false);
    expect(existsSync(rig.path('runs/ok/ran'))).toBe(false);
  });

  it('an absolute workdir the author wrote is used as written', () => {
    const elsewhere = rig.path('elsewhere');
    rig.write('data/ok.csv', 'site\nx\ny\n');
    rig.write(
      'abs.toml',
      dedent(`
        [campaign]
        name = "abs"
        [campaign.a]
        foreach = "data/ok.csv"
        workdir = "${elsewhere}/{site}"
        command = "touch ran"
      `),
    );
    rig.write('elsewhere/x/.keep', '');
    rig.write('elsewhere/y/.keep', '');
    const r = rig.run(['run', 'abs.toml', '--ui', 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(elsewhere, 'x/ran'))).toBe(true);
    expect(existsSync(join(elsewhere, 'y/ran'))).toBe(true);
  });
});
