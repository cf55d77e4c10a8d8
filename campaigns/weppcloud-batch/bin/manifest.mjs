#!/usr/bin/env node
// The batch manifest: every run and which tasks of its chain are done.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';

const [runs, out] = process.argv.slice(2);
const chain = ['delineation', 'landuse', 'soils', 'climate', 'wepp', 'watar', 'omni'];
const manifest = {};
for (const run of readdirSync(runs, { withFileTypes: true })) {
  if (!run.isDirectory() || run.name.startsWith('_')) continue;
  manifest[run.name] = Object.fromEntries(chain.map((t) => [t, existsSync(`${runs}/${run.name}/${t}.json`) ? 'done' : 'missing']));
}
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`${Object.keys(manifest).length} runs`);
