#!/usr/bin/env node
// Copies the _base project into a snapshot that every run is cloned from.
import { cpSync, mkdirSync } from 'node:fs';

const [base, snapshot] = process.argv.slice(2);
mkdirSync(snapshot, { recursive: true });
cpSync(base, snapshot, { recursive: true });
console.log(`snapshot of ${base} in ${snapshot}`);
