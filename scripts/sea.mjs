#!/usr/bin/env node
// Makes dist/campaign-sea, a standalone executable (Node's single executable applications):
// a copy of this node binary with the bundle (dist/campaign.mjs) injected by postject.
//
// On Node 20 an application's main script must be CommonJS and may require only Node's
// built-in modules, while the bundle is an ES module with top-level await (yoga-layout, under
// Ink). So the main script (scripts/sea-main.cjs) writes the bundle, carried as an asset, into
// the cache folder on first use and imports it from there through an ordinary module loader.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'postject';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist/sea');
const exe = join(root, 'dist/campaign-sea');
const bundle = join(root, 'dist/campaign.mjs');

execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs'), bundle], { stdio: 'inherit' });
mkdirSync(out, { recursive: true });
const config = JSON.parse(readFileSync(join(root, 'scripts/sea-config.json'), 'utf8'));
// Paths in the config are relative to the repository, where node runs.
execFileSync(process.execPath, ['--experimental-sea-config', join(root, 'scripts/sea-config.json')], {
  cwd: root,
  stdio: 'inherit',
});

rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
await inject(exe, 'NODE_SEA_BLOB', readFileSync(join(root, config.output)), {
  sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
});
console.log(`${relative(process.cwd(), exe)}: ${(statSync(exe).size / 1e6).toFixed(1)} MB`);
