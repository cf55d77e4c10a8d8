#!/usr/bin/env node
// Clones the snapshot of _base into the run's folder (the working directory), as the batch
// runner does: each NoDb file's `wd` set to this folder and its run id to this run, NoDb
// locks and caches left behind.
//   clone.mjs --snapshot runs/_snapshot --runid lochsa-river-17
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { options, work } from './lib.mjs';

const { snapshot, runid } = options();
await work('clone', runid);
let n = 0;
for (const f of readdirSync(snapshot).sort()) {
  if (f.endsWith('.lock') || f.startsWith('_pups') || f.endsWith('.tmp')) continue;
  if (!f.endsWith('.nodb')) {
    copyFileSync(`${snapshot}/${f}`, f);
    continue;
  }
  const doc = JSON.parse(readFileSync(`${snapshot}/${f}`, 'utf8'));
  doc['py/state'] = { ...doc['py/state'], wd: process.cwd(), ...(f === 'ron.nodb' ? { runid } : {}) };
  writeFileSync(f, `${JSON.stringify(doc, null, 2)}\n`);
  n++;
}
console.log(`${runid}: cloned ${n} NoDb files from ${snapshot}`);
