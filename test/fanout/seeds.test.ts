import { cpSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

const rig = new Rig('campaign-seeds-');
afterAll(() => rig.cleanup());

cpSync(join(repo, 'campaigns', 'rg-taskfarm'), rig.path('rg'), {
  recursive: true,
  filter: (src) => !['job_outputs', '.campaign'].includes(basename(src)),
});

/** The `--seed` of every generation task, from `plan --all`. */
function seeds(): Map<string, number> {
  const r = rig.run(['plan', 'rg/campaign.toml', '--all']);
  expect(r.code).toBe(0);
  const out = new Map<string, number>();
  for (const m of r.stdout.matchAll(
    /(\S+\.(?:gen|generate)\[\S+\])\s+node bin\/generate\.mjs .*?--seed (\d+)/g,
  ))
    out.set(m[1]!, Number(m[2]));
  return out;
}

describe('{seed} is derived from the task id', () => {
  it('batch_00 of RG steps 1, 2 and 3 gets three different seeds, by the documented recipe', () => {
    const s = seeds();
    // Python: int.from_bytes(hashlib.sha256(b"1234:fp.gen[RG1-batch_00]").digest()[:4], "big")
    expect([
      s.get('fp.gen[RG1-batch_00]'),
      s.get('fp.gen[RG2-batch_00]'),
      s.get('fp.gen[RG3-batch_00]'),
    ]).toEqual([4193419399, 2815678903, 906867313]);
  });

  it('every generation task has its own seed, the same on every load', () => {
    const first = seeds();
    expect(first.size).toBe(3 * 32 + 3 * 32);
    expect(new Set(first.values()).size).toBe(first.size);
    expect(seeds()).toEqual(first);
  });
});
