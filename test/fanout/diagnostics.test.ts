import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';
import { cases } from './cases.js';

const rig = new Rig('campaign-fanout-');
afterAll(() => rig.cleanup());

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-');

describe('expansion problems: exact diagnostics, all at once, exit 2', () => {
  for (const c of cases) {
    for (const format of ['toml', 'yaml'] as const) {
      const text = c[format];
      if (!text) continue;
      it(`${c.name} (${format})`, async () => {
        const dir = `${slug(c.name)}-${format}`;
        for (const [name, body] of Object.entries(c.files ?? {})) rig.write(`${dir}/${name}`, body);
        const file = `${dir}/campaign.${format}`;
        rig.write(file, text);
        // Run from the rig's folder: data paths resolve against the campaign file, not the cwd.
        const r = rig.run(['validate', file]);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
        await expect(r.stderr).toMatchFileSnapshot(`golden/${slug(c.name)}.${format}.txt`);
      });
    }
  }
});
