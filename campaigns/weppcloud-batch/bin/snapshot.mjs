#!/usr/bin/env node
// Snapshots _base: copied whole into a temporary folder, then renamed into place, so every run
// is cloned from one complete configuration. Writes the fingerprint of each controller's
// NoDb file (control_hashes.json), so a changed _base shows which controllers drifted.
//   snapshot.mjs --base _base --out runs/_snapshot
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { options } from './lib.mjs';

const { base, out } = options();
const tmp = `${out}.tmp`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(dirname(out), { recursive: true });
cpSync(base, tmp, { recursive: true });
const hashes = {};
for (const f of readdirSync(tmp).filter((n) => n.endsWith('.nodb')).sort())
  hashes[f.replace(/\.nodb$/, '')] = createHash('sha256').update(readFileSync(`${tmp}/${f}`)).digest('hex').slice(0, 16);
writeFileSync(`${tmp}/control_hashes.json`, `${JSON.stringify(hashes, null, 2)}\n`);
rmSync(out, { recursive: true, force: true });
renameSync(tmp, out);
console.log(`snapshot of ${base}: ${Object.keys(hashes).length} controllers`);
