import { expect } from 'vitest';
import type { Rig } from '../rig.js';

/** A program that writes, for run number N, the text of in/N.EXT as its run's output. */
const EMIT = `import { copyFileSync, mkdirSync } from 'node:fs';
const [run, out] = process.argv.slice(2);
const n = Number(/run(\\d+)$/.exec(run)[1]);
const ext = out.slice(out.lastIndexOf('.'));
mkdirSync('out', { recursive: true });
copyFileSync(\`in/\${n}\${ext}\`, out);
`;

/**
 * A campaign in `dir` whose node `data` copies in/N.EXT to out/data_{run}.EXT in its run N,
 * run once per text given (the first plainly, the others with --force). Returns the run ids.
 */
export function runsOf(rig: Rig, dir: string, ext: string, texts: readonly string[]): string[] {
  rig.write(
    `${dir}/campaign.toml`,
    `[campaign]\nname = "formats"\n\n[campaign.data]\ncommand = ["node", "emit.mjs", "{run}", "out/data_{run}.${ext}"]\noutputs = ["out/data_{run}.${ext}"]\n`,
  );
  rig.write(`${dir}/emit.mjs`, EMIT);
  const ids: string[] = [];
  for (const [i, t] of texts.entries()) rig.write(`${dir}/in/${i + 1}.${ext}`, t);
  for (let i = 0; i < texts.length; i++) {
    const r = rig.run(['run', `${dir}/campaign.toml`, '--ui', 'plain', ...(i > 0 ? ['--force'] : [])]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = /run (\d{8}_\d{6}_run\d+) of formats/.exec(r.stdout);
    ids.push(m![1]!);
  }
  return ids;
}
