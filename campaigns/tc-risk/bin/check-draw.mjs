#!/usr/bin/env node
// Validates one draw's output: it must be JSON with a whole number of storms. Exit 1 otherwise.
import { readFileSync } from 'node:fs';

try {
  const d = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  process.exit(Number.isInteger(d.storms) ? 0 : 1);
} catch {
  process.exit(1);
}
