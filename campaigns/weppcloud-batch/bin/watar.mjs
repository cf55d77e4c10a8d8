#!/usr/bin/env node
// WATAR, wildfire ash transport and risk: ash delivered to the outlet after the fire date the
// run's ash.nodb names (ash/ash_summary.csv), from WEPP's daily runoff.
//   watar.mjs
import { readFileSync } from 'node:fs';
import { need, nodb, saveNodb, work, write } from './lib.mjs';

const step = 'watar';
const { runid } = nodb(step, 'ron');
const ash = nodb(step, 'ash');
need(step, 'wepp/output/totalwatsed2.csv');
await work(step, runid);
const days = readFileSync('wepp/output/totalwatsed2.csv', 'utf8').trim().split('\n').slice(1);
const rows = days.map((l) => {
  const [d, runoff] = l.split(',');
  return `${d},${(Number(runoff) * (ash.ini_black_depth + ash.ini_white_depth) * 0.01).toFixed(3)}`;
});
write('ash/ash_summary.csv', `# ${ash.model} model, fire ${ash.fire_date}\njulian,ash_tonnes\n${rows.join('\n')}\n`);
saveNodb('ash', { ran: true });
console.log(`${runid}: ash transport (${ash.model}) after ${ash.fire_date}`);
