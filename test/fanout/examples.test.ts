import { cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

const rig = new Rig('campaign-examples-');
afterAll(() => rig.cleanup());

/** Copies an example (its sources, not what earlier runs left) into the rig. */
function copy(name: string, file = 'campaign.toml'): string {
  const produced = new Set(['out', 'runs', 'job_outputs', '.campaign']);
  cpSync(join(repo, 'campaigns', name), rig.path(name), {
    recursive: true,
    filter: (src) => !produced.has(basename(src)),
  });
  return `${name}/${file}`;
}

/** tc-risk is written for Grid Engine too: its queue and project are warnings on the local machine. */
const tcRiskWarnings = (file: string) =>
  [
    `${file}:39:1: warning: \`queue\` is an option of sge, which this file is also meant for; the local scheduler this run uses ignores it [unknown-scheduler-option]`,
    '  39 | queue = "all.q"',
    '     | ^^^^^',
    '',
    `${file}:40:1: warning: \`project\` is an option of sge, which this file is also meant for; the local scheduler this run uses ignores it [unknown-scheduler-option]`,
    '  40 | project = "proj_rapidresponse"',
    '     | ^^^^^^^',
    '',
    '2 warnings',
    '',
  ].join('\n');

const examples: {
  name: string;
  /** The campaign file in the folder, when it is not campaign.toml. */
  file?: string;
  ok: string;
  output: string;
  tasks: number;
  stderr?: (file: string) => string;
  /** Overrides for plan and run (a smaller campaign of the same shape). */
  set?: string[];
}[] = [
  {
    name: 'tc-risk',
    ok: '6 nodes, 0 groups, 5 edges',
    output: 'out/cmip6/summary.json',
    tasks: 19,
    stderr: tcRiskWarnings,
  },
  {
    name: 'rg-taskfarm',
    ok: '5 nodes, 2 groups, 6 edges',
    output: 'job_outputs/v1/EXP/report.json',
    // 8 batches a step instead of 32: test/examples/rg-taskfarm.test.ts runs this shape in depth.
    set: ['--set', 'vars.batches=0..7'],
    tasks: 55,
  },
  { name: 'weppcloud-batch', ok: '10 nodes, 1 group, 16 edges', output: 'runs/manifest.json', tasks: 34 },
  {
    name: 'so-mapmaking',
    file: 'so.toml',
    ok: '4 nodes, 1 group, 4 edges',
    output: 'out/so/null-report.tsv',
    tasks: 10,
  },
];

describe('the fan-out example campaigns', () => {
  for (const ex of examples) {
    it(`${ex.name} validates, plans, expands and runs`, () => {
      const file = copy(ex.name, ex.file);
      expect(rig.run(['validate', file]).stdout).toBe(`${file}: ok (${ex.ok})\n`);
      const set = ex.set ?? [];
      const plan = rig.run(['plan', file, ...set]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain(`  tasks          ${ex.tasks}\n`);
      const expand = rig.run(['expand', file]);
      const warnings = ex.stderr?.(file) ?? '';
      // expand sets diagnostics apart from its report with an empty line.
      expect(expand.stderr).toBe(warnings && `\n${warnings}`);
      expect(expand.code).toBe(0);
      const run = rig.run(['run', file, ...set, '--ui', 'plain']);
      expect(run.stderr).toBe(warnings);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`succeeded: ${ex.tasks} succeeded`);
      expect(existsSync(rig.path(ex.name, ex.output))).toBe(true);
    }, 600_000);
  }

  it('weppcloud-batch: every watershed ran its whole chain in its own folder, named by the id template', () => {
    const manifest = JSON.parse(readFileSync(rig.path('weppcloud-batch/runs/manifest.json'), 'utf8'));
    expect(Object.keys(manifest).sort()).toEqual([
      'bear-river-s-fork-16',
      'lochsa-river-17',
      'rio-chama-13',
      'upper-salmon-17',
    ]);
    for (const run of Object.values(manifest))
      expect(Object.values(run as object).every((s) => s === 'done')).toBe(true);
    const outlet = JSON.parse(
      readFileSync(rig.path('weppcloud-batch/runs/bear-river-s-fork-16/watershed/outlet.geojson'), 'utf8'),
    );
    expect(outlet.properties.name).toBe("Bear River's Fork");
  });

  it('tc-risk: a second run finds every draw complete and runs nothing of level 4', () => {
    const dry = rig.run(['run', 'tc-risk/campaign.toml', '--dry-run']);
    expect(dry.stdout).toBe('would run 0 of 13 selected tasks (13 up to date)\n');
  }, 300_000);
});
