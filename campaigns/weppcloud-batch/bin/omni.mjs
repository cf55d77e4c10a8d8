#!/usr/bin/env node
// Omni: the run's scenarios (omni.nodb), each a WEPP run of its own after the base WEPP run
// (omni/scenarios/<scenario>/wepp/output/loss_pw0.txt), and their comparison
// (omni/scenarios.summary.csv).
//   omni.mjs
import { readFileSync } from 'node:fs';
import { need, nodb, saveNodb, work, write } from './lib.mjs';

const step = 'omni';
const { runid } = nodb(step, 'ron');
const om = nodb(step, 'omni');
const wp = nodb(step, 'wepp');
need(step, 'wepp/output/loss_pw0.txt', 'ash/ash_summary.csv');
await work(step, runid);
const factor = { uniform_low: 1.4, uniform_moderate: 2.5, uniform_high: 4.1, mulch: 0.6, thinning: 0.9 };
const base = readFileSync('wepp/output/loss_pw0.txt', 'utf8');
const rows = [];
for (const sc of om.scenarios) {
  const sed = (wp.sediment_t_yr * (factor[sc] ?? 1)).toFixed(1);
  write(`omni/scenarios/${sc}/wepp/output/loss_pw0.txt`, base.replace(/= [0-9.]+ tonnes\/yr/, `= ${sed} tonnes/yr`));
  rows.push(`${sc},${sed}`);
}
write('omni/scenarios.summary.csv', `scenario,sediment_t_yr\nbase,${wp.sediment_t_yr}\n${rows.join('\n')}\n`);
saveNodb('omni', { ran: om.scenarios });
console.log(`${runid}: ${om.scenarios.length} Omni scenarios`);
