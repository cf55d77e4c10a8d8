#!/usr/bin/env node
// Mean storms per draw, per basin, over every draw's NetCDF-like file.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { MAGIC } from './validate.mjs';

const [root, out] = process.argv.slice(2);
const summary = {};
for (const basin of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
  const files = readdirSync(`${root}/${basin}/draws`).filter((f) => f.endsWith('.nc'));
  const storms = files.map(
    (f) => JSON.parse(readFileSync(`${root}/${basin}/draws/${f}`, 'latin1').slice(MAGIC.length)).storms,
  );
  summary[basin] = { draws: files.length, mean: storms.reduce((a, b) => a + b, 0) / files.length };
}
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(summary));
