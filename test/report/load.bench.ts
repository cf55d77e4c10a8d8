import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, bench, describe } from 'vitest';
import { Rig } from '../rig.js';
import { assertChromium, Browser } from './chromium.js';
import { campaign } from './helpers.js';

/**
 * The report of a real run of 10,000 tasks: its size, how long `campaign report` takes, and
 * how long Chromium takes to load it and to open the 9,900-task node. Figures, not thresholds:
 *   npm run build && npx vitest bench --run test/report/load.bench.ts
 * REPORT_BENCH_KEEP=1 keeps the run's folder (printed) and REPORT_BENCH_DIR=that folder
 * measures again without running the 10,000 tasks again.
 */
assertChromium();
const reuse = process.env.REPORT_BENCH_DIR;
const rig = reuse
  ? Object.assign(Object.create(Rig.prototype) as Rig, { dir: reuse })
  : new Rig('campaign-report-bench-');
const CAMPAIGN = `[campaign]
name = "ten-thousand"
[campaign.defaults.resources]
memory = "64M"
runtime = "10s"
[campaign.prep]
command = ["true"]
[campaign.sim]
matrix = { i = "0..9899" }
command = "exit $(( {i} % 250 == 7 ))"
depends_on = ["prep"]
retries = { count = 1, backoff = "0s" }
[campaign.post]
matrix = { i = "0..98" }
command = ["true"]
depends_on = ["sim"]
`;
let t = performance.now();
if (!reuse) {
  rig.write('c.toml', CAMPAIGN);
  const run = rig.run(['run', 'c.toml', '--cores', '2', '--ui', 'plain'], { timeout: 1_200_000 });
  if (run.code !== 1) throw new Error(`run: exit ${run.code}\n${run.stderr}`);
}
const runS = reuse ? Number.NaN : (performance.now() - t) / 1000;
t = performance.now();
const made = campaign(rig, ['report', 'c.toml', '--out', 'r.html']);
const reportS = (performance.now() - t) / 1000;
if (made.code !== 0) throw new Error(made.stderr);
const bytes = statSync(rig.path('r.html')).size;
const tsv = campaign(rig, ['trace', 'c.toml']);
console.log(
  `10,000 tasks: run ${runS.toFixed(1)} s; campaign report ${reportS.toFixed(2)} s; report ${(bytes / 2 ** 20).toFixed(2)} MiB; trace ${tsv.stdout.split('\n').length - 2} rows; in ${rig.dir}`,
);
const browser = new Browser(1400, 2000);
afterAll(async () => {
  await browser.close();
  if (!reuse && !process.env.REPORT_BENCH_KEEP) rig.cleanup();
});

describe('report of a 10,000-task run', () => {
  bench(
    'load in headless Chromium, then open the 9,900-task node',
    async () => {
      const { session, visit } = await browser.open(pathToFileURL(rig.path('r.html')).href);
      if (visit.console.length > 0) throw new Error(visit.console.join('\n'));
      const openMs = await browser.evaluate(
        session,
        `new Promise((done) => { const t = performance.now(); document.querySelector('details.node[data-node="sim"]').open = true; requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t))); })`,
      );
      console.log(
        `load event ${visit.loadMs.toFixed(0)} ms after navigation start (first contentful paint ${visit.paintMs?.toFixed(0) ?? '-'} ms; ${visit.wallMs.toFixed(0)} ms seen by the client); opening sim: ${Number(openMs).toFixed(0)} ms`,
      );
      await browser.send('Target.closeTarget', { targetId: await targetOf(browser, session) });
    },
    { iterations: 3, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});

async function targetOf(b: Browser, session: string): Promise<string> {
  const { result } = await b.send('Target.getTargetInfo', {}, session);
  return (result!.targetInfo as { targetId: string }).targetId;
}
