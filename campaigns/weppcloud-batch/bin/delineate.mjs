#!/usr/bin/env node
// Watershed delineation and abstraction of one GeoJSON feature: its extent, buffered, is the
// DEM's (dem/dem.asc, an ESRI ASCII grid); the outlet is the lowest cell in the feature, as
// WhiteBoxTools' find_outlet places it (watershed/outlet.geojson, a pour point); the
// abstraction is its hillslopes (watershed/hillslopes.csv, TOPAZ ids).
//   delineate.mjs --geojson data/watersheds.geojson --feature 1 --name 'Lochsa River'
import { readFileSync } from 'node:fs';
import { fail, nodb, options, saveNodb, work, write } from './lib.mjs';

const step = 'delineation';
const args = options();
const ron = nodb(step, 'ron');
const ws = nodb(step, 'watershed');
await work(step, ron.runid);
const feature = JSON.parse(readFileSync(args.geojson, 'utf8')).features[Number(args.feature)];
if (!feature) fail(step, `${args.geojson} has no feature ${args.feature}`);
const points = [];
const walk = (c) => (typeof c[0] === 'number' ? points.push(c) : c.forEach(walk));
if (feature.geometry?.coordinates) walk(feature.geometry.coordinates);
if (points.length < 3) fail(step, `feature ${args.feature} (${args.name}) has no polygon: cannot derive an extent`);
const xs = points.map((p) => p[0]);
const ys = points.map((p) => p[1]);
const b = ws.buffer_deg;
const [w, s, e, n] = [Math.min(...xs) - b, Math.min(...ys) - b, Math.max(...xs) + b, Math.max(...ys) + b];

// A small DEM that falls toward the middle of its southern edge.
const cols = 8;
const rows = 8;
const cell = (e - w) / cols;
const z = (r, c) => 1200 + 40 * (rows - 1 - r) + 15 * Math.abs(c - (cols - 1) / 2);
const grid = [];
for (let r = 0; r < rows; r++) grid.push(Array.from({ length: cols }, (_, c) => z(r, c).toFixed(1)).join(' '));
write(
  'dem/dem.asc',
  `ncols ${cols}\nnrows ${rows}\nxllcorner ${w}\nyllcorner ${s}\ncellsize ${cell}\nNODATA_value -9999\n${grid.join('\n')}\n`,
);
// The outlet: the lowest cell whose centre lies within the feature's own bounding box.
let best;
for (let r = 0; r < rows; r++)
  for (let c = 0; c < cols; c++) {
    const x = w + (c + 0.5) * cell;
    const y = s + (rows - r - 0.5) * ((n - s) / rows);
    if (x < Math.min(...xs) || x > Math.max(...xs) || y < Math.min(...ys) || y > Math.max(...ys)) continue;
    if (!best || z(r, c) < best.z) best = { r, c, x, y, z: z(r, c) };
  }
const outlet = {
  type: 'Feature',
  properties: { name: args.name, runid: ron.runid, tool: 'find_outlet', row: best.r, column: best.c, elevation: best.z },
  geometry: { type: 'Point', coordinates: [Number(best.x.toFixed(6)), Number(best.y.toFixed(6))] },
};
write('watershed/outlet.geojson', `${JSON.stringify(outlet, null, 2)}\n`);
const area = ((Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys)) * 8.5e5).toFixed(1);
const hills = [11, 12, 13, 21, 22, 23].map((id, i) => `${id},${(Number(area) / 6).toFixed(1)},${(0.12 + i * 0.03).toFixed(2)}`);
write('watershed/hillslopes.csv', `topaz_id,area_ha,slope\n${hills.join('\n')}\n`);
saveNodb('watershed', { outlet: outlet.geometry.coordinates, extent: [w, s, e, n], hillslopes: hills.length });
console.log(`${ron.runid}: outlet at ${outlet.geometry.coordinates.join(', ')}, ${hills.length} hillslopes`);
