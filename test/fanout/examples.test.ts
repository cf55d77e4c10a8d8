import { cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

const rig = new Rig('campaign-examples-');
afterAll(() => rig.cleanup());

/** Copies an example (its sources, not what earlier runs left) into the rig. */
function copy(name: string): string {
  const produced = new Set(['out', 'runs', 'job_outputs', '.campaign']);
  cpSync(join(repo, 'campaigns', name), rig.path(name), {
    recursive: true,
    filter: (src) => !produced.has(basename(src)),
  });
  return `${name}/campaign.toml`;
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
  ok: string;
  output: string;
  tasks: number;
  stderr?: (file: string) => string;
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
    ok: '9 nodes, 5 groups, 12 edges',
    output: 'job_outputs/v1/EXP/report.json',
    tasks: 55,
  },
  { name: 'weppcloud-batch', ok: '10 nodes, 1 group, 16 edges', output: 'runs/manifest.json', tasks: 34 },
  { name: 'so-null-tests', ok: '4 nodes, 1 group, 4 edges', output: 'out/report.txt', tasks: 10 },
];

describe('the fan-out example campaigns', () => {
  for (const ex of examples) {
    it(`${ex.name} validates, plans, expands and runs`, () => {
      const file = copy(ex.name);
      expect(rig.run(['validate', file]).stdout).toBe(`${file}: ok (${ex.ok})\n`);
      const plan = rig.run(['plan', file]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain(`  tasks          ${ex.tasks}\n`);
      const expand = rig.run(['expand', file]);
      const warnings = ex.stderr?.(file) ?? '';
      // expand sets diagnostics apart from its report with an empty line.
      expect(expand.stderr).toBe(warnings && `\n${warnings}`);
      expect(expand.code).toBe(0);
      const run = rig.run(['run', file, '--ui', 'plain']);
      expect(run.stderr).toBe(warnings);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`succeeded: ${ex.tasks} succeeded`);
      expect(existsSync(rig.path(ex.name, ex.output))).toBe(true);
    });
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
    const delineation = JSON.parse(
      readFileSync(rig.path('weppcloud-batch/runs/bear-river-s-fork-16/delineation.json'), 'utf8'),
    );
    expect(delineation.name).toBe("Bear River's Fork");
  });

  it('tc-risk: a second run finds every draw complete and runs nothing of level 4', () => {
    const dry = rig.run(['run', 'tc-risk/campaign.toml', '--dry-run']);
    expect(dry.stdout).toBe('would run 0 of 13 selected tasks (13 up to date)\n');
  });
});
