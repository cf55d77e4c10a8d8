#!/usr/bin/env node
// Level 0 of one basin: the status of every draw, as the seeds' draw_status.csv:
//   draw,netcdf,zarr,status      status: complete (both valid), incomplete (else)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { netcdfState, zarrState } from './validate.mjs';

const [basin, range, root, out] = process.argv.slice(2);
const [first, last] = range.split('..').map(Number);
const rows = ['draw,netcdf,zarr,status'];
let complete = 0;
for (let d = first; d <= last; d++) {
  const stem = `${root}/${basin}/draws/draw_${String(d).padStart(3, '0')}`;
  const nc = netcdfState(`${stem}.nc`);
  const zarr = zarrState(`${stem}.zarr`);
  const ok = nc === 'valid' && zarr === 'valid';
  if (ok) complete++;
  rows.push(`${d},${nc},${zarr},${ok ? 'complete' : 'incomplete'}`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${rows.join('\n')}\n`);
console.log(`level 0 of ${basin}: ${complete} of ${last - first + 1} draws complete`);
