import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { counts, TASK } from '../engine/helpers.js';
import { Rig } from '../rig.js';
import { killAndResume, type Moment, prng, report } from './helpers.js';

/**
 * Fault injection on the local machine: the head (`campaign run`, the real binary) is killed
 * with SIGKILL at moments drawn from a fixed seed, then run again until the campaign
 * completes. Each task counts its own executions; every count must be exactly 1.
 */
let rig: Rig;
beforeEach(() => {
  rig = new Rig('campaign-faults-local-');
});
// FAULTS_KEEP=1 keeps the folder of a run for inspection.
afterEach(() => (process.env.FAULTS_KEEP ? console.log(`kept ${rig.dir}`) : rig.cleanup()));

/** A check that fails unless the output is there, and takes a moment (a kill may land in it). */
const check = (file: string) => `sleep 0.2; test -s ${file}`;

/**
 * How long the work takes, against the kill moments (150-1250 ms after each start): the
 * campaign must outlast ten heads on a fast, idle machine too, or it completes before the kills
 * run out and the test proves less than it says (it did, once: 6 kills, then done).
 */
const SLOW = 3;
const secs = (s: number) => (s * SLOW).toFixed(2);

/** A verified root, a fan-out after it, chains that cross, and a funnel with a check: 44 tasks. */
function campaign(): { text: string; tasks: string[] } {
  const tasks: string[] = ['prep', 'funnel'];
  let text = '[campaign]\nname = "faults"\n';
  text += `[campaign.prep]\ncommand = "${TASK} prep sleep=${secs(0.2)} out=out/prep.txt"\noutputs = ["out/prep.txt"]\ncheck = "${check('out/prep.txt')}"\n`;
  text += `[campaign.fan]\nmatrix = { i = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }\ncommand = "${TASK} fan-{i} sleep=${secs(0.1)} out=out/fan-{i}.txt"\noutputs = ["out/fan-{i}.txt"]\ndepends_on = ["prep"]\n`;
  for (let i = 0; i < 12; i++) tasks.push(`fan-${i}`);
  for (let c = 0; c < 5; c++) {
    for (let i = 0; i < 6; i++) {
      const deps: string[] = [];
      if (i > 0) deps.push(`"c${c}.t${i - 1}"`);
      if (c > 0 && i === 3) deps.push(`"c${c - 1}.t2"`);
      const sleep = secs(0.05 + ((c * 7 + i * 13) % 10) * 0.03);
      text += `[campaign.c${c}.t${i}]\ncommand = "${TASK} c${c}.t${i} sleep=${sleep}"\n`;
      if (deps.length > 0) text += `depends_on = [${deps.join(', ')}]\n`;
      tasks.push(`c${c}.t${i}`);
    }
  }
  text += `[campaign.funnel]\ncommand = "${TASK} funnel out=out/funnel.txt"\noutputs = ["out/funnel.txt"]\ncheck = ["/bin/sh", "-c", "${check('out/funnel.txt')}"]\ndepends_on = ["fan", "c4.t5"]\n`;
  return { text, tasks };
}

/** Kill moments: mostly random times, some right after a hand-over was journaled. */
function moments(seed: number, n: number): Moment[] {
  const random = prng(seed);
  return Array.from({ length: n }, () =>
    random() < 0.3
      ? { kind: 'journal', n: 1 + Math.floor(random() * 5) }
      : { kind: 'time', ms: Math.round(150 + random() * 1100) },
  );
}

describe('fault injection: kill -9 of the head on the local machine', () => {
  it.each([20261, 424242])(
    'seed %i: 10 kills at random moments, resumed each time: every task ran exactly once',
    async (seed) => {
      const { text, tasks } = campaign();
      rig.write('c.toml', text);
      const args = ['run', 'c.toml', '--cores', '4'];
      const { heads, last } = await killAndResume(rig, args, moments(seed, 10), { fallbackMs: 2000 });
      const why = report(rig, seed, heads, tasks);
      if (process.env.FAULTS_KEEP) console.log(why);
      expect(last.stderr, why).toBe('');
      expect(last.code, `${why}\n${last.stdout}`).toBe(0);
      expect(heads.filter((h) => h.fate.startsWith('killed')).length, why).toBeGreaterThanOrEqual(8);
      expect(counts(rig), why).toEqual(Object.fromEntries(tasks.map((t) => [t, 1])));
      expect(rig.run(['run', 'c.toml', '--dry-run']).stdout, why).toBe(
        `would run 0 of ${tasks.length} selected tasks (${tasks.length} up to date)\n`,
      );
    },
    180_000,
  );
});
