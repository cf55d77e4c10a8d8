import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';
import { count, mask, TASK } from './helpers.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => rig.cleanup());

describe('retries that escalate', () => {
  it('a timeout is retried with twice the time, and succeeds', () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "t"
        [campaign.slow]
        command = "${TASK} slow sleep=3"
        timeout = "2s"
        retries = { count = 1, backoff = "0s" }
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(0);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN001 of t on local: 1 task
        [t] started    slow (pid N)
        [t] failed     slow: timed out after 2s; retrying in 0s (attempt 2 with 4s after timeout at 2s)
        [t] started    slow (attempt 2) (pid N)
        [t] succeeded  slow (attempt 2) in Ns
        [t] succeeded: 1 succeeded in Ns
      `),
    );
    expect(count(rig, 'slow')).toBe(2);
  });

  it('without retries a timeout stays a failure', () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "t"
        [campaign.slow]
        command = "${TASK} slow sleep=3"
        timeout = "1s"
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(1);
    expect(count(rig, 'slow')).toBe(1);
  });
});
