import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { BatchCluster } from '../batch/clusters.js';
import { SubmitWrapper, UNIQUE } from '../batch/helpers.js';
import { counts, TASK } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';
import { killAndResume, type Moment, prng, report } from './helpers.js';

/**
 * Fault injection on a real batch scheduler (the local Slurm or Grid Engine): the head is
 * killed with SIGKILL at moments drawn from a fixed seed, among them inside a submission (a
 * wrapper of the submit command on PATH slows every call by 1-2 s: killed before the
 * scheduler has the job, or after it has it but before the head heard) and between a journal
 * write and its hand-over; then `campaign run` again until the campaign completes. Every task
 * ran exactly once, and nothing of it is left in the queue.
 */
export function faultSuite(cluster: BatchCluster, submit: 'sbatch' | 'qsub', what: string): void {
  let rig: Rig;
  let wrapper: SubmitWrapper;
  beforeAll(() => cluster.gate.assert());
  beforeEach(() => {
    rig = new Rig(`campaign-faults-${cluster.type}-`);
    wrapper = new SubmitWrapper(rig.dir, submit);
  });
  afterEach(() => {
    wrapper.stop();
    if (process.env.FAULTS_KEEP) console.log(`kept ${rig.dir}`);
    else rig.cleanup();
  });

  cluster.gate.describe(`fault injection: kill -9 of the head on ${what}`, () => {
    it('seed 9: 5 kills, inside submissions and between journal and hand-over: every task ran exactly once, nothing left in the queue', async () => {
      const seed = 9;
      const random = prng(seed);
      const name = `flt${UNIQUE}`;
      rig.write('c.toml', campaign(cluster, name));
      const plan = moments(random);
      const delays = plan.map(() => [1 + random(), random()] as const);
      const { heads, last } = await killAndResume(rig, ['run', 'c.toml'], plan, {
        sbatch: wrapper,
        env: (k) => wrapper.env(delays[k]![0], delays[k]![1]),
        fallbackMs: 4000,
      });
      const why = report(rig, seed, heads, TASKS);
      if (process.env.FAULTS_KEEP) console.log(why);
      expect(last.stderr, why).toBe('');
      expect(last.code, `${why}\n${last.stdout}`).toBe(0);
      expect(heads.filter((h) => h.fate.startsWith('killed')).length, why).toBeGreaterThanOrEqual(4);
      expect(counts(rig), why).toEqual(Object.fromEntries(TASKS.map((t) => [t, 1])));
      expect(cluster.liveJobs(`${name}.`), why).toEqual([]);
      expect(rig.run(['run', 'c.toml', '--dry-run']).stdout, why).toBe(
        'would run 0 of 10 selected tasks (10 up to date)\n',
      );
    }, 300_000);
  });
}

/** A verified root, a fan-out array, an array after it item by item, a funnel: 10 tasks, 4 arrays. */
const campaign = (cluster: BatchCluster, name: string) =>
  dedent(`
    [campaign]
    name = "${name}"
    [campaign.scheduler]
    type = "${cluster.type}"
    ${cluster.options.replaceAll('\n', '\n    ')}
    [campaign.defaults.resources]
    memory = "100M"
    runtime = "5m"
    [campaign.prep]
    command = "${TASK} prep out=out/prep.txt"
    outputs = ["out/prep.txt"]
    check = "test -s out/prep.txt"
    [campaign.gen]
    matrix = { i = [0, 1, 2, 3] }
    command = "${TASK} gen-{i} sleep=3 out=out/gen-{i}.txt"
    outputs = ["out/gen-{i}.txt"]
    depends_on = ["prep"]
    [campaign.post]
    matrix = { i = [0, 1, 2, 3] }
    command = "${TASK} post-{i} sleep=1"
    depends_on = ["gen"]
    [campaign.funnel]
    command = "${TASK} funnel"
    depends_on = ["post[*]"]
  `);

const TASKS = ['prep', 'gen-0', 'gen-1', 'gen-2', 'gen-3', 'post-0', 'post-1', 'post-2', 'post-3', 'funnel'];

/** One kill of each kind, and a random time, in an order drawn from the seed. */
function moments(random: () => number): Moment[] {
  const all: Moment[] = [
    { kind: 'sbatch-start', n: 1 + Math.floor(random() * 2) },
    { kind: 'sbatch-submitted', n: 1 + Math.floor(random() * 2) },
    { kind: 'journal', n: 1 + Math.floor(random() * 5) },
    { kind: 'time', ms: Math.round(800 + random() * 2500) },
    { kind: 'sbatch-start', n: 1 },
  ];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}
