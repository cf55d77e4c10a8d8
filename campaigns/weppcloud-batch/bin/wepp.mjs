#!/usr/bin/env node
// WEPP: a hillslope run file per hillslope (wepp/runs/p<topaz id>.run) and the watershed's
// outputs (wepp/output/loss_pw0.txt, the loss report; wepp/output/totalwatsed2.csv, daily
// water and sediment), with the binary the run's wepp.nodb names.
//   wepp.mjs
import { readFileSync } from 'node:fs';
import { need, nodb, saveNodb, work, write } from './lib.mjs';

const step = 'wepp';
const { runid } = nodb(step, 'ron');
const wp = nodb(step, 'wepp');
const cl = nodb(step, 'climate');
need(step, `climate/${cl.cli_fn}`, 'soils/soils.csv', 'landuse/landuse.csv');
await work(step, runid);
const hills = readFileSync('watershed/hillslopes.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
for (const [id] of hills)
  write(`wepp/runs/p${id}.run`, `m\ny\n1\n1\nn\nH${id}.pass.dat\n1\nn\n../../landuse/${id}.man\n../../soils/${id}.sol\n../../climate/${cl.cli_fn}\n${wp.years}\n`);
const area = hills.reduce((a, [, ha]) => a + Number(ha), 0);
const sediment = (area * 0.42).toFixed(1);
write(
  'wepp/output/loss_pw0.txt',
  `  WATERSHED LOSS SUMMARY (${wp.wepp_bin}, ${wp.years} years)\n\n  Total contributing area to outlet          = ${area.toFixed(1)} ha\n  Sediment discharge from outlet             = ${sediment} tonnes/yr\n`,
);
const days = Array.from({ length: 5 }, (_, d) => `${d + 1},${(d * 1.7).toFixed(2)},${(d * 0.4).toFixed(2)}`);
write('wepp/output/totalwatsed2.csv', `julian,runoff_mm,sed_tonnes\n${days.join('\n')}\n`);
saveNodb('wepp', { ran: true, sediment_t_yr: Number(sediment) });
console.log(`${runid}: WEPP on ${hills.length} hillslopes, ${sediment} t/yr at the outlet`);
