#!/usr/bin/env node
// The batch manifest: for every run id, which steps of its chain have their outputs.
//   manifest.mjs --runs runs --out runs/manifest.json
import { existsSync, readdirSync } from 'node:fs';
import { options, write } from './lib.mjs';

const { runs, out } = options();
const outputs = {
  delineation: 'watershed/outlet.geojson',
  landuse: 'landuse/landuse.csv',
  soils: 'soils/soils.csv',
  climate: 'climate/*.cli',
  wepp: 'wepp/output/loss_pw0.txt',
  watar: 'ash/ash_summary.csv',
  omni: 'omni/scenarios.summary.csv',
};
// `dir/*.ext`: any file of that extension in dir.
const has = (dir, f) => {
  if (!f.includes('*')) return existsSync(`${dir}/${f}`);
  const [sub, ext] = f.split('/*');
  return existsSync(`${dir}/${sub}`) && readdirSync(`${dir}/${sub}`).some((n) => n.endsWith(ext));
};
const manifest = {};
for (const run of readdirSync(runs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
  if (!run.isDirectory() || run.name.startsWith('_')) continue;
  manifest[run.name] = Object.fromEntries(
    Object.entries(outputs).map(([step, f]) => [step, has(`${runs}/${run.name}`, f) ? 'done' : 'missing']),
  );
}
write(out, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`${Object.keys(manifest).length} runs`);
