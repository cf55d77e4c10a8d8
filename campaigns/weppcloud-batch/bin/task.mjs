#!/usr/bin/env node
// One task of a run's chain, in the run's folder: it needs the task before it, and writes
// <task>.json. Delineation takes the watershed's name and bounding box.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [task, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(rest.reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const project = JSON.parse(readFileSync('project.json', 'utf8'));
if (args.after && !existsSync(`${args.after}.json`)) {
  console.error(`${task} needs ${args.after}, which has not run in ${process.cwd()}`);
  process.exit(1);
}
const result = { task, runid: project.runid, ...(args.name ? { name: args.name } : {}) };
if (args.bbox) {
  const [w, s, e, n] = args.bbox.split(',').map(Number);
  result.outlet = [(w + e) / 2, s];
}
writeFileSync(`${task}.json`, `${JSON.stringify(result)}\n`);
console.log(`${project.runid}: ${task}`);
