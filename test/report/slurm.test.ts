import { afterAll, beforeAll, expect, it } from 'vitest';
import { TASK } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';
import { assertSlurm, describeSlurm, UNIQUE } from '../slurm/helpers.js';
import { bars, campaign, tableRows, tableText } from './helpers.js';

/** The report and the trace of a run on the real local Slurm cluster. */
let rig: Rig;
beforeAll(() => {
  assertSlurm();
  rig = new Rig('campaign-report-slurm-');
  rig.write(
    'c.toml',
    dedent(`
      [campaign]
      name = "rep${UNIQUE}"
      [campaign.scheduler]
      type = "slurm"
      poll_interval = "1s"
      partition = "debug"
      [campaign.defaults.resources]
      memory = "100M"
      runtime = "5m"
      [campaign.prep]
      command = "${TASK} prep"
      [campaign.gen]
      matrix = { i = [0, 1] }
      command = "${TASK} gen-{i} exit={i}"
      depends_on = ["prep"]
    `),
  );
  const r = rig.run(['run', 'c.toml', '--ui', 'plain'], { timeout: 240_000 });
  if (r.code !== 1) throw new Error(`run: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
}, 300_000);
afterAll(() => rig?.cleanup());

describeSlurm('report and trace of a Slurm run', () => {
  it('the trace has each attempt with its job id, partition and request', () => {
    const r = campaign(rig, ['trace', 'c.toml', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    const pick = (x: Record<string, unknown>) => [
      x.task,
      x.state,
      x.exit_code,
      x.partition,
      x.req_cores,
      x.req_memory_bytes,
      x.req_runtime_s,
      x.limit_s,
    ];
    expect(rows.map(pick)).toEqual([
      ['prep', 'succeeded', null, 'debug', 1, 104857600, 300, 600],
      ['gen[0]', 'succeeded', null, 'debug', 1, 104857600, 300, 600],
      ['gen[1]', 'failed', 1, 'debug', 1, 104857600, 300, 600],
    ]);
    const jobs = rows.map((x) => String(x.job_id));
    expect(jobs[0]).toMatch(/^\d+$/);
    const array = jobs[1]!.split('_')[0];
    expect(jobs.slice(1)).toEqual([`${array}_0`, `${array}_1`]);
    // Handed over before it ran, and it ran after its dependency ended.
    for (const x of rows)
      expect(Date.parse(x.start as string)).toBeGreaterThanOrEqual(Date.parse(x.submit as string));
    expect(Date.parse(rows[1]!.start as string)).toBeGreaterThanOrEqual(Date.parse(rows[0]!.end as string));
  });

  it('the report names the scheduler and partition, draws each job, lists the failure', () => {
    const r = campaign(rig, ['report', 'c.toml', '--out', 'r.html']);
    expect(r.code).toBe(0);
    const html = rig.read('r.html');
    const summary = Object.fromEntries(tableRows(html, 'summary-table').map((x) => [x[0], x[1]]));
    expect(summary.Scheduler).toBe('slurm, partition debug');
    expect(summary.Status).toBe('failed');
    expect(summary.Tasks).toBe('2 succeeded, 1 failed');
    expect(summary['Exit code']).toBe('1');
    expect([bars(html, 'ok'), bars(html, 'fail')]).toEqual([2, 1]);
    expect(tableText(html, 'failures-table').map((x) => x.replace(/\| \S+\.err$/, '| LOG'))).toEqual([
      'task | attempt | failure | message | exit code | log',
      'gen[1] | 1 | failed | exit code 1 | 1 | LOG',
    ]);
    expect(html).toContain('<pre class="stderr"><code>gen-1 warning</code></pre>');
    expect(tableText(html, 'dag-table')[2]).toBe('gen | - | prep | 2 | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 0');
  });
});
