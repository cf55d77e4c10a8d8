import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TASK } from '../engine/helpers.js';
import { Rig } from '../rig.js';
import { assertChromium, Browser, describeChromium } from './chromium.js';
import { campaign, twoRuns } from './helpers.js';

/** The report as Chromium renders it: no console output, no request but the page, every section drawn. */
let rig: Rig;
let browser: Browser;
/** Screenshots stay after the test, for a person to look at. */
const artefacts = mkdtempSync(join(tmpdir(), 'campaign-report-shots-'));

beforeAll(() => {
  assertChromium();
  rig = new Rig('campaign-report-browser-');
  twoRuns(rig, TASK);
  for (const [run, out] of [
    ['run001', 'r1.html'],
    ['run002', 'r2.html'],
  ] as const) {
    const r = campaign(rig, ['report', 'c.toml', '--run', run, '--out', out]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  browser = new Browser(1400, 2000);
});
afterAll(async () => {
  await browser?.close();
  rig?.cleanup();
});

describeChromium('the report in headless Chromium', () => {
  it('loads with no console message and no request but the page itself', async () => {
    const url = pathToFileURL(rig.path('r1.html')).href;
    const { session, visit } = await browser.open(url);
    expect(visit.console).toEqual([]);
    expect(visit.requests).toEqual([url]);
    expect(visit.loadMs).toBeGreaterThan(0);
    const shot = join(artefacts, 'report-run001.png');
    await browser.screenshot(session, shot);
    console.log(`screenshot: ${shot}`);
  });

  it('draws the timeline, the resources, the retries, the DAG and the failures; runs no script', async () => {
    const { session } = await browser.open(pathToFileURL(rig.path('r1.html')).href);
    const q = (expr: string) => browser.evaluate(session, expr);
    expect(await q('document.scripts.length')).toBe('0');
    // One row per task that ran: prep, flaky, bad, slow on their own; sims.gen's three in its <details>.
    expect(
      await q(`[...document.querySelectorAll('#timeline .node')].map(n => n.dataset.node).join(' ')`),
    ).toBe('prep sims.gen flaky bad slow');
    expect(
      await q(`document.querySelector('#timeline details.node pre.labels').textContent.replace(/◆ /g, '')`),
    ).toBe('sims.gen[0]\nsims.gen[1]\nsims.gen[2]');
    // A bar per attempt (flaky's two are two), as many hover areas as rows.
    const bars = (cls: string) =>
      q(
        `[...document.querySelectorAll('#timeline path.${cls}')].map(p => p.getAttribute('d').split('M').length - 1).reduce((a, b) => a + b, 0)`,
      );
    expect([await bars('b'), await bars('k-fail'), await bars('k-timeout')]).toEqual(['8', '2', '1']);
    expect(await q(`document.querySelectorAll('#timeline rect.hit').length`)).toBe('7');
    expect(Number(await bars('cp'))).toBeGreaterThan(0);
    const row = await browser.box(session, '#timeline div.node[data-node="prep"]');
    expect(row.height).toBe(14);
    // The fan-out node opens into its tasks' rows.
    const closed = Number(
      await q(`document.querySelector('#timeline details.node').getBoundingClientRect().height`),
    );
    await q(`document.querySelector('#timeline details.node').open = true`);
    const open = Number(
      await q(`document.querySelector('#timeline details.node').getBoundingClientRect().height`),
    );
    expect(open - closed).toBe(3 * 14);
    for (const id of [
      'resources-memory',
      'resources-cpu',
      'resources-wall',
      'right-size',
      'retries-table',
      'dag-table',
      'failures-table',
    ])
      expect(await q(`document.querySelectorAll('#${id} tbody tr').length > 0`)).toBe('true');
    // Six boxes and three edges in the drawn DAG.
    expect(await q(`document.querySelectorAll('#dag svg rect').length`)).toBe('6');
    expect(await q(`document.querySelectorAll('#dag svg path[marker-end]').length`)).toBe('3');
    expect(
      await q(
        `document.querySelector('#failures pre').textContent.includes('<script>alert(1)</script> & more')`,
      ),
    ).toBe('true');
    const shot = join(artefacts, 'report-run001-timeline.png');
    const box = await browser.box(session, '#timeline');
    await browser.screenshot(session, shot, { x: 0, y: box.y, width: 1400, height: Math.ceil(box.height) });
    console.log(`screenshot: ${shot}`);
  });

  it('the report of the second run compares it with the first', async () => {
    const url = pathToFileURL(rig.path('r2.html')).href;
    const { session, visit } = await browser.open(url);
    expect(visit.console).toEqual([]);
    expect(visit.requests).toEqual([url]);
    expect(
      await browser.evaluate(session, `document.querySelectorAll('#rerun-reasons tbody tr').length`),
    ).toBe('3');
    const shot = join(artefacts, 'report-run002.png');
    await browser.screenshot(session, shot);
    console.log(`screenshot: ${shot}`);
  });
});
