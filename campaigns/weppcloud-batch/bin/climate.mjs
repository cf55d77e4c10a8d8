#!/usr/bin/env node
// Climate: a CLIGEN climate file for the outlet (climate/<station>.cli), as the run's
// climate.nodb asks (mode, years).
//   climate.mjs
import { need, nodb, saveNodb, work, write } from './lib.mjs';

const step = 'climate';
const { runid } = nodb(step, 'ron');
const cl = nodb(step, 'climate');
const ws = nodb(step, 'watershed');
need(step, 'soils/soils.csv');
await work(step, runid);
const [lon, lat] = ws.outlet;
const station = `${cl.mode}_${Math.round(Math.abs(lat) * 100)}${Math.round(Math.abs(lon) * 100)}`;
const days = [];
for (let d = 1; d <= 5; d++) days.push(`  ${d}  1  1  ${(d % 3) * 4.2}  1.5  0.4  ${(d * 3.1).toFixed(1)}  ${(-5 + d).toFixed(1)}  250  3.2  270  -8.0`);
write(
  `climate/${station}.cli`,
  `5.32300\n   1   0   0\n   Station: ${station}  CLIGEN VER. 5.32300 (${cl.mode}, ${cl.years} years)\n Latitude Longitude Elevation (m) Obs. Years   Beginning year  Years simulated\n  ${lat.toFixed(2)}  ${lon.toFixed(2)}  1200  ${cl.years}  1  ${cl.years}\n da mo year  prcp  dur   tp     ip  tmax  tmin  rad  w-vl w-dir  tdew\n${days.join('\n')}\n`,
);
saveNodb('climate', { cli_fn: `${station}.cli` });
console.log(`${runid}: climate ${station}.cli, ${cl.years} years`);
