#!/usr/bin/env node
// Soils: one WEPP soil file per map unit (soils/<mukey>.sol) and the hillslopes' map units
// (soils/soils.csv), from the database the run's soils.nodb names.
//   soils.mjs
import { readFileSync } from 'node:fs';
import { need, nodb, saveNodb, work, write } from './lib.mjs';

const step = 'soils';
const { runid } = nodb(step, 'ron');
const so = nodb(step, 'soils');
need(step, 'landuse/landuse.csv');
await work(step, runid);
const ids = readFileSync('landuse/landuse.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
const mukeys = ['2485', '2490'];
for (const [i, mukey] of mukeys.entries()) {
  write(
    `soils/${mukey}.sol`,
    `7778\n# ${so.db} map unit ${mukey}, initial saturation ${so.initial_sat}\nAny comments:\n1 1\n'${mukey}' 'loam' 1 0.23 ${so.initial_sat} 4649000 0.0140 3.50 ${10 + i}\n400 35.0 40.0 3.0 11.3 8.0\n`,
  );
}
write('soils/soils.csv', `topaz_id,mukey\n${ids.map((id, i) => `${id},${mukeys[i % 2]}`).join('\n')}\n`);
saveNodb('soils', { built: so.db, mukeys });
console.log(`${runid}: soils from ${so.db}, ${mukeys.length} map units`);
