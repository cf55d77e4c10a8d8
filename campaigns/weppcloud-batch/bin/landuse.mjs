#!/usr/bin/env node
// Landuse: the dominant cover of each hillslope from the database the run's landuse.nodb
// names (landuse/landuse.csv, NLCD classes and WEPP management files).
//   landuse.mjs
import { readFileSync } from 'node:fs';
import { need, nodb, saveNodb, work, write } from './lib.mjs';

const step = 'landuse';
const { runid } = nodb(step, 'ron');
const lu = nodb(step, 'landuse');
need(step, 'watershed/hillslopes.csv');
await work(step, runid);
const covers = [
  [42, 'Evergreen Forest', 'forest.man'],
  [52, 'Shrub/Scrub', 'shrub.man'],
  [71, 'Grassland/Herbaceous', 'tall_grass.man'],
];
const ids = readFileSync('watershed/hillslopes.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
const rows = ids.map((id, i) => [id, ...covers[i % covers.length]].join(','));
write('landuse/landuse.csv', `topaz_id,dom,desc,management\n${rows.join('\n')}\n`);
saveNodb('landuse', { built: lu.db, hillslopes: ids.length });
console.log(`${runid}: landuse from ${lu.db}, ${ids.length} hillslopes`);
