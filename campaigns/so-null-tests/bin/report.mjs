#!/usr/bin/env node
// Chi-square of half the difference of each pair of maps of a null test, against white noise.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const [dir, out] = process.argv.slice(2);
const lines = [];
for (const test of readdirSync(dir).sort()) {
  const maps = readdirSync(`${dir}/${test}`)
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${test}/${f}`, 'utf8')).map);
  let chi2 = 0;
  let n = 0;
  for (let a = 0; a < maps.length; a++) {
    for (let b = a + 1; b < maps.length; b++) {
      for (const p of Object.keys(maps[a])) {
        if (maps[b][p] === undefined) continue;
        chi2 += ((maps[a][p] - maps[b][p]) / 2 / 0.05) ** 2;
        n++;
      }
    }
  }
  lines.push(`${test}\tmaps=${maps.length}\tpairs=${n}\tchi2/n=${(chi2 / Math.max(1, n)).toFixed(2)}`);
}
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
