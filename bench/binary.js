// Runs the real `campaign` binary under /usr/bin/time: wall time and peak memory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist/cli/main.js');

/** `campaign ARGS` to completion; `dir` holds the time file. */
export function timeBinary(dir, args) {
  const outFile = join(dir, 'time.txt');
  const t = performance.now();
  execFileSync('/usr/bin/time', ['-o', outFile, '-f', '%M', process.execPath, bin, ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    ms: performance.now() - t,
    rssMiB: Number(readFileSync(outFile, 'utf8').trim().split('\n').pop()) / 1024,
  };
}
