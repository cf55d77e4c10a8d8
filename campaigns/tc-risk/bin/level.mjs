#!/usr/bin/env node
// Levels 1-3 of one basin: each writes a small JSON file that the next level reads.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const [level, basin, out] = process.argv.slice(2);
const previous = out.replace(/level[0-9]\.json$/, `level${Number(level) - 1}.json`);
const before = Number(level) > 1 && existsSync(previous) ? JSON.parse(readFileSync(previous, 'utf8')) : { factor: 1 };
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ basin, level: Number(level), factor: before.factor * 1.1 })}\n`);
console.log(`level ${level} of ${basin}: ${out}`);
