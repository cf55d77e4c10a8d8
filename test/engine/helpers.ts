import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtures, type Rig } from '../rig.js';

export const TASK = join(fixtures, 'task.sh');

/** How many times the fixture task NAME ran in the rig. */
export function count(rig: Rig, name: string): number {
  const p = rig.path('record/counts', name);
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** [start, end] in ms of each execution of NAME. */
export function times(rig: Rig, name: string): [number, number][] {
  const p = rig.path('record/times', name);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map((x) => Number(BigInt(x) / 1_000_000n)) as [number, number]);
}

export function counts(rig: Rig): Record<string, number> {
  const dir = rig.path('record/counts');
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).map((n) => [n, count(rig, n)]));
}

/** Plain reporter output with what varies from run to run masked. */
export function mask(text: string, rig: Rig): string {
  return text
    .replaceAll(rig.dir, '<dir>')
    .replace(/\[\d+:\d\d:\d\d\]/g, '[t]')
    .replace(/\d{8}_\d{6}_run(\d+)/g, 'RUN$1')
    .replace(/\(pid \d+\)/g, '(pid N)')
    .replace(/ in \d+\.\ds/g, ' in Ns');
}

/** Starts must not precede the ends of what they depend on. */
export function startedAfter(rig: Rig, later: string, earlier: string): boolean {
  const [l] = times(rig, later);
  const e = times(rig, earlier);
  return l !== undefined && e.length > 0 && l[0] >= e[e.length - 1]![1];
}

export function overlap(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

export function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() > until) reject(new Error('timed out waiting'));
      else setTimeout(tick, 50);
    };
    tick();
  });
}
