#!/usr/bin/env node
// Chi-square of each null map, assuming the white-noise level of the input samples.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [dir, out] = process.argv.slice(2);
const lines = [];
for (const f of readdirSync(dir).sort()) {
  const m = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  if (m.kind !== 'null') continue;
  const v = Object.values(m.null);
  const chi2 = v.reduce((a, x) => a + (x / 0.05) ** 2, 0);
  lines.push(`${m.split}\tnsplits=${m.nsplits}\tpixels=${v.length}\tchi2=${chi2.toFixed(2)}`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
