import type { Rig } from '../rig.js';

const G = 1024 * 1024; // KiB in a GiB
const MIN = 60_000;

/**
 * A recorded history, written as the journals of two runs: sim's succeeded attempts peaked at
 * 1G, 1.5G, 2G and 1.25G in 30m, 40m, 50m and 45m; one attempt ran out of memory; the last
 * run handed over all 10 of its tasks. `tiny` has one sample only.
 */
export function writeHistory(r: Rig, stem: string, tasks = 10): void {
  const runs = `.campaign/${stem}/runs`;
  const header = (run: string) =>
    JSON.stringify({
      k: 'run',
      t: 1,
      run,
      pid: 1,
      host: 'vm',
      file: '',
      campaign: stem,
      scheduler: 'local',
      tasks,
    });
  const lines = (recs: object[]) => `${recs.map((x) => JSON.stringify(x)).join('\n')}\n`;
  const ok = (id: string, gib: number, min: number) => ({
    k: 'ok',
    t: 2,
    id,
    a: 1,
    h: 'x',
    n: 1,
    x: 0,
    w: min * MIN,
    m: gib * G,
  });
  r.write(
    `${runs}/20261101_000000_run001/journal.jsonl`,
    `${header('20261101_000000_run001')}\n${lines([
      ok('sim[0]', 1, 30),
      ok('sim[1]', 1.5, 40),
      { k: 'f', t: 3, id: 'sim[2]', a: 1, r: 'oom', msg: 'out of memory', w: 10 * MIN, m: 4 * G },
      ok('tiny', 0.5, 1),
      { k: 'end', t: 4, status: 'failed', counts: {} },
    ])}`,
  );
  const q = Array.from({ length: tasks }, (_, i) => ({
    k: 'q',
    t: 4,
    id: `sim[${i}]`,
    a: 1,
    rq: { c: 4, m: 4096, rt: 7200 },
  }));
  // The others of the last run were cancelled: the run ended, nothing is left under way.
  const cancelled = q
    .filter((x) => x.id !== 'sim[2]' && x.id !== 'sim[3]')
    .map((x) => ({ k: 'f', t: 5, id: x.id, a: 1, r: 'cancelled', msg: 'cancelled' }));
  const end = { k: 'end', t: 6, status: 'cancelled', counts: {} };
  r.write(
    `${runs}/20261102_000000_run002/journal.jsonl`,
    `${header('20261102_000000_run002')}\n${lines([...q, ok('sim[2]', 2, 50), ok('sim[3]', 1.25, 45), ...cancelled, end])}`,
  );
}
