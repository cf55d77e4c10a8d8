#!/usr/bin/env node
// Clones the snapshot into the run's folder (the working directory) and names the run.
import { readFileSync, writeFileSync } from 'node:fs';

const [snapshot, runId] = process.argv.slice(2);
const project = JSON.parse(readFileSync(`${snapshot}/project.json`, 'utf8'));
writeFileSync('project.json', `${JSON.stringify({ ...project, runid: runId }, null, 2)}\n`);
console.log(`run ${runId} cloned from ${snapshot}`);
