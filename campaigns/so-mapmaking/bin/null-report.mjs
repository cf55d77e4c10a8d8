#!/usr/bin/env node
// The null-test report: for each null test (mission, wafer_ws0, ...) in --maps, the split maps'
// pairwise differences (less their mean) against the noise their inverse variances give; chi2 per degree of
// freedom, PASS when |chi2/dof - 1| < --threshold.
//   null-report.mjs --maps out/null --threshold 0.5 --out out/null-report.tsv
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readFits } from './fits.mjs';

const arg = (k, d) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const maps = arg('maps');
const out = arg('out');
const threshold = Number(arg('threshold', '0.5'));
const tests = new Map();
for (const d of readdirSync(maps).sort()) {
  const m = /^(.*)_split_(\d+)$/.exec(d);
  if (!m) continue;
  const map = readFits(join(maps, d, 'sky_map.fits'));
  const ivar = readFits(join(maps, d, 'sky_ivar.fits'));
  tests.set(m[1], [...(tests.get(m[1]) ?? []), { map: map.data, ivar: ivar.data }]);
}
const lines = ['test\tsplits\tdof\tchi2/dof\tresult'];
for (const [test, splits] of tests) {
  let chi2 = 0;
  let dof = 0;
  for (let a = 0; a < splits.length; a++)
    for (let b = a + 1; b < splits.length; b++) {
      const x = splits[a];
      const y = splits[b];
      // A constant is not constrained by maps with a free offset per observation: remove it.
      const seen = [...x.map.keys()].filter((p) => x.ivar[p] && y.ivar[p]);
      const w = (p) => 1 / (1 / x.ivar[p] + 1 / y.ivar[p]);
      const mean = seen.reduce((s, p) => s + w(p) * (x.map[p] - y.map[p]), 0) / seen.reduce((s, p) => s + w(p), 0);
      for (const p of seen) chi2 += w(p) * (x.map[p] - y.map[p] - mean) ** 2;
      dof += seen.length - 1;
    }
  const r = chi2 / Math.max(1, dof);
  lines.push(`${test}\t${splits.length}\t${dof}\t${r.toFixed(2)}\t${Math.abs(r - 1) < threshold ? 'PASS' : 'FAIL'}`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
