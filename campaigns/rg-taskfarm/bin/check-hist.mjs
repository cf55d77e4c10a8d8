#!/usr/bin/env node
// A histogram is valid when it has both `histval` and `binedges` (the seeds' runtime assertion).
import { readFileSync } from 'node:fs';

try {
  const h = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  process.exit(Array.isArray(h.histval) && Array.isArray(h.binedges) ? 0 : 1);
} catch {
  process.exit(1);
}
