// `campaign collect` over many runs of a large CSV each: peak memory of the real binary stays
// bounded by its buffers, not by the dataset. Every run's file is a hard link to one generated
// file, so the disk holds one copy while collect reads every run's file in full.
//
//   node bench/collect.js                # 100 runs of a 50 MB CSV (5 GB read)
//   RUNS=10 MB=20 node bench/collect.js
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bin as repoBin } from './binary.js';

const RUNS = Number(process.env.RUNS ?? 100);
const MB = Number(process.env.MB ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'campaign-bench-collect-'));

// The bench makes its runs over many minutes: it runs a copy of the built binary, so that a
// rebuild of dist/ meanwhile cannot break it half way.
const repo = dirname(dirname(dirname(repoBin)));
const snap = join(dir, 'campaign');
mkdirSync(snap);
cpSync(join(repo, 'dist'), join(snap, 'dist'), { recursive: true });
cpSync(join(repo, 'package.json'), join(snap, 'package.json'));
for (const d of ['node_modules', 'schemas', 'libexec']) symlinkSync(join(repo, d), join(snap, d));
const bin = join(snap, 'dist/cli/main.js');

/** `campaign ARGS` under /usr/bin/time: wall time and peak memory (max RSS) of the process. */
function timeBinary(cwd, args) {
  const outFile = join(dir, 'time.txt');
  const t = performance.now();
  execFileSync('/usr/bin/time', ['-o', outFile, '-f', '%M', process.execPath, bin, ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    ms: performance.now() - t,
    rssMiB: Number(readFileSync(outFile, 'utf8').trim().split('\n').pop()) / 1024,
  };
}

try {
  // One results file of MB megabytes: ~100-byte rows, a quoted field in every tenth.
  const fd = openSync(join(dir, 'template.csv'), 'w');
  writeSync(fd, 'sample,rep,perturbation,response,note\n');
  const target = MB * 1024 * 1024;
  let size = 0;
  let rows = 0;
  let block = '';
  for (let i = 0; size < target; i++) {
    const note =
      i % 10 === 0 ? `"cascade ${i}, layer ${i % 3}"` : `cascade-${i}-layer-${i % 3}-padding-padding-padding`;
    const row = `${i},${i % 7},${(1 + (i % 5) / 10).toFixed(2)},${((i * 0.37) % 100).toFixed(6)},${note}\n`;
    block += row;
    size += row.length;
    rows++;
    if (block.length > 1 << 20) {
      writeSync(fd, block);
      block = '';
    }
  }
  writeSync(fd, block);
  closeSync(fd);
  const fileBytes = statSync(join(dir, 'template.csv')).size;
  writeFileSync(
    join(dir, 'link.mjs'),
    "import { linkSync, mkdirSync } from 'node:fs';\nmkdirSync('out', { recursive: true });\nlinkSync('template.csv', process.argv[2]);\n",
  );
  writeFileSync(
    join(dir, 'campaign.toml'),
    '[campaign]\nname = "bench-collect"\n\n[campaign.data]\ncommand = ["node", "link.mjs", "out/data_{run}.csv"]\noutputs = ["out/data_{run}.csv"]\n',
  );
  const file = join(dir, 'campaign.toml');
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) {
    execFileSync(process.execPath, [bin, 'run', file, '--ui', 'plain', ...(i > 0 ? ['--force'] : [])], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const setupS = (performance.now() - t0) / 1000;
  const totalBytes = fileBytes * RUNS;

  const base = timeBinary(dir, ['validate', file]);
  const c = timeBinary(dir, ['collect', file, 'data']);
  // Check the product too: one header plus every run's rows.
  const lines = Number(
    execFileSync(
      '/bin/sh',
      ['-c', `node ${JSON.stringify(bin)} collect ${JSON.stringify(file)} data 2>/dev/null | wc -l`],
      {
        cwd: dir,
      },
    )
      .toString()
      .trim(),
  );
  const mib = (b) => b / 1024 / 1024;
  console.log(
    `${RUNS} runs of a ${mib(fileBytes).toFixed(1)} MiB CSV (${rows} rows each), ${(mib(totalBytes) / 1024).toFixed(2)} GiB in all (runs made in ${setupS.toFixed(0)} s)`,
  );
  console.log(
    `campaign validate (baseline): ${base.rssMiB.toFixed(0)} MiB peak, ${(base.ms / 1000).toFixed(2)} s`,
  );
  console.log(
    `campaign collect:             ${c.rssMiB.toFixed(0)} MiB peak, ${(c.ms / 1000).toFixed(1)} s (${(mib(totalBytes) / (c.ms / 1000)).toFixed(0)} MiB/s)`,
  );
  console.log(
    `peak memory / input: ${(c.rssMiB / mib(totalBytes)).toFixed(4)} (${((c.rssMiB / mib(totalBytes)) * 100).toFixed(2)}%); target: under 200 MiB`,
  );
  console.log(`output lines: ${lines} (expected ${1 + rows * RUNS})`);
  if (c.rssMiB >= 200 || lines !== 1 + rows * RUNS) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
