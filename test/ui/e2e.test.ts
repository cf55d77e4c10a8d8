import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK } from '../engine/helpers.js';
import { bin, dedent, Rig } from '../rig.js';

/** The real binary in a real pseudo-terminal (tmux), driven by keys, read from the screen. */
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI)
  throw new Error('tmux is needed for the dashboard end-to-end test (CI installs it)');

const rig = new Rig();
const session = `campaign-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function until(check: (s: string) => boolean, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (check(s)) return s;
    if (Date.now() > end) throw new Error(`screen never matched:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  if (!hasTmux) return;
  rig.write(
    'c.toml',
    dedent(`
      [campaign]
      name = "live"
      [campaign.quick]
      command = "${TASK} quick"
      [campaign.sims.slow]
      command = "${TASK} slow sleep=60"
      resources = { runtime = "1m" }
      [campaign.sims.broken]
      command = "${TASK} broken exit=3"
      [campaign.report]
      command = "${TASK} report"
      depends_on = ["sims"]
    `),
  );
  rig.write(
    'run.sh',
    `cd ${rig.dir}\nenv -u CI NO_COLOR=1 node ${bin} run c.toml\necho "EXIT=$?"\nsleep 120\n`,
  );
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '32', `bash ${rig.path('run.sh')}`);
});

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['kill-session', '-t', session]);
  rig.cleanup();
});

describe.skipIf(!hasTmux)('the dashboard in a terminal', () => {
  it('shows the run live, answers keys, and cancels on confirmation', async () => {
    // Wait for the whole state asserted below: slow running, broken ended with its stderr shown.
    const live = await until(
      (s) =>
        s.includes('Running') &&
        s.includes('slow') &&
        s.includes('exit code 3') &&
        s.includes('broken warning') &&
        /▾? ?sims +\S+ +\d+% 1\/2/.test(s),
    );
    expect(live).toMatch(/^live · run \d{8}_\d{6}_run001 · local · elapsed \d+s/m);
    expect(live).toContain('Subcampaigns');
    expect(live).toMatch(/▾? ?sims +\S+ +\d+% 1\/2/);
    expect(live).toContain(
      'q quit view · c cancel · f failures only · ↑↓/j k move · enter expand · l log tail',
    );
    // The failure, its reason and the last line of its stderr.
    expect(live).toContain('exit code 3');
    expect(live).toContain('broken warning');

    tmux('send-keys', '-t', session, 'f');
    const failuresOnly = await until((s) => !s.includes('Running ·') && s.includes('broken'));
    expect(failuresOnly).toContain('broken');

    tmux('send-keys', '-t', session, 'c');
    await until((s) => s.includes('Cancel the run? y/n'));
    tmux('send-keys', '-t', session, 'y');
    const end = await until((s) => s.includes('EXIT='));
    expect(end).toContain('EXIT=130');
    expect(end).toMatch(/cancelled/);
    // The report never ran: its group failed and was cancelled.
    expect(spawnSync('sh', ['-c', `test -e ${rig.path('record/counts/report')}`]).status).toBe(1);
  }, 60_000);
});
