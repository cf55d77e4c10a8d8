#!/usr/bin/env node
// The mean of every shifted run.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const [root, out] = process.argv.slice(2);
const report = {};
for (const d of readdirSync(root).filter((d) => d.startsWith('shift_')).sort()) {
  report[d.slice('shift_'.length)] = JSON.parse(readFileSync(`${root}/${d}/hist.json`, 'utf8')).mean;
}
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report));
