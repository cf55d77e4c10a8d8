#!/usr/bin/env node
// Level 4 of the TC orchestrator for one task: the basin/draw pairs of the task come from the
// item manifest ($CAMPAIGN_ITEMS), as the seeds' script read level_4_task_assignments.csv.
// Each draw writes a NetCDF-like file and a Zarr-like directory (see bin/validate.mjs).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { MAGIC } from './validate.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const items = JSON.parse(readFileSync(process.env.CAMPAIGN_ITEMS, 'utf8'));
for (const { values, seed } of items) {
  const { basin, draw } = values;
  const level3 = JSON.parse(readFileSync(`${args.out}/${basin}/level3.json`, 'utf8'));
  // A deterministic "draw": the per-item seed makes reruns reproduce the same numbers.
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const storms = Math.floor(rand() * 10 * level3.factor);
  const stem = `${args.out}/${basin}/draws/draw_${String(draw).padStart(3, '0')}`;
  mkdirSync(`${args.out}/${basin}/draws`, { recursive: true });
  writeFileSync(`${stem}.nc`, `${MAGIC}${JSON.stringify({ basin, draw, storms, seed })}\n`);
  const losses = Array.from({ length: 12 }, () => Math.round(rand() * storms * 100));
  rmSync(`${stem}.zarr`, { recursive: true, force: true });
  mkdirSync(`${stem}.zarr`);
  writeFileSync(`${stem}.zarr/0`, `${JSON.stringify(losses)}\n`);
  writeFileSync(`${stem}.zarr/.zarray`, `${JSON.stringify({ zarr_format: 2, shape: [12], chunks: [12] })}\n`);
}
console.log(`task ${args['task-id']}: ${items.length} draws (${items[0].instance} … ${items.at(-1).instance})`);
