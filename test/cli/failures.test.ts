import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

// A usage error, a locked campaign and an I/O failure are different failures: each has its
// exit code and one message, never a stack trace.
const rig = new Rig('campaign-failures-');
beforeAll(() => {
  rig.write(
    'campaign.toml',
    dedent(`
      [campaign]
      name = "f"
      [campaign.hold]
      command = "while [ ! -e release ]; do sleep 0.05; done"
    `),
  );
  rig.write('afile', '');
});
afterAll(() => rig.cleanup());

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at .*:\d+/);

/** Polls until `check` holds, failing after the deadline. */
async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('failures', () => {
  it('a usage error exits 2', () => {
    const r = rig.run(['run', 'campaign.toml', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("campaign: Unknown option '--bogus'");
    noStack(r.stderr);
  });

  it('a state directory that cannot be created is an I/O failure: exit 1, the path and the reason', () => {
    const r = rig.run(['run', 'campaign.toml', '--state-dir', 'afile/state']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `campaign: cannot create the state directory ${rig.path('afile/state')}: not a directory (ENOTDIR)\n`,
    );
  });

  it('a campaign held by another run exits 3; a report that cannot be written is an I/O failure', async () => {
    const head = rig.start(['run', 'campaign.toml', '--ui', 'plain']);
    await until(() => head.output().stdout.includes('started    hold'), 'the first run to start its task');
    const second = rig.run(['run', 'campaign.toml', '--ui', 'plain']);
    expect(second.code).toBe(3);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(
      /^campaign: campaign\.toml is being run by another campaign process \(pid [0-9]+ on .+\); wait for it, watch it with 'campaign watch', or stop it with 'campaign cancel'\n$/,
    );
    rig.write('release', '');
    const first = await head.done;
    expect(first.code).toBe(0);

    const report = rig.run(['report', 'campaign.toml', '--out', 'missing/report.html']);
    expect(report.code).toBe(1);
    expect(report.stderr).toBe(
      'campaign: cannot write missing/report.html: no such file or directory (ENOENT)\n',
    );
    expect(existsSync(rig.path('missing'))).toBe(false);
  });
});
