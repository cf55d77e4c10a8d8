#!/usr/bin/env node
// A user's converter for `campaign collect --format cmd`: reads one results file (the last
// argument) and prints one CSV line for it: the assembly, the record count, the mean response.
// collect runs it once per file, in run order, with CAMPAIGN_RUN_ID set.
import { readFileSync } from 'node:fs';

const file = process.argv[process.argv.length - 1];
const text = readFileSync(file, 'utf8');
const rows = file.endsWith('.json')
  ? JSON.parse(text)
  : file.endsWith('.jsonl')
    ? text.trim().split('\n').map((l) => JSON.parse(l))
    : text.trim().split('\n').slice(1).map((l) => ({ response: Number(l.split(',')[3]) }));
const mean = rows.reduce((a, x) => a + x.response, 0) / rows.length;
process.stdout.write(`${process.env.CAMPAIGN_RUN_ID},${rows.length},${mean.toFixed(4)}\n`);
