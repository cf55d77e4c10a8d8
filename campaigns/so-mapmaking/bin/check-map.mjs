#!/usr/bin/env node
// Validates a map file: parseable, with a finite value in every pixel.
import { readFileSync } from 'node:fs';

try {
  const m = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const values = Object.values(m.map ?? m.null ?? {});
  if (values.length === 0 || !values.every(Number.isFinite)) throw new Error('empty map or non-finite pixels');
} catch (e) {
  console.error(`invalid map ${process.argv[2]}: ${e.message}`);
  process.exit(1);
}
