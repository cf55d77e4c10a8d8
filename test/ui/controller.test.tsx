import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

// Ink decides at import whether it runs under CI, and then draws only the last frame on exit.
// These tests are about the live frames a terminal user sees, so they run as outside CI.
vi.hoisted(() => {
  for (const k of Object.keys(process.env)) {
    if (k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_')) delete process.env[k];
  }
});

import { type DashboardHandle, type DashboardOptions, startDashboard } from '../../src/ui/dashboard/index.js';
import { ev, FakeStdin, FakeStdout, fakeTail, fanout, strip, T0, task } from './helpers.js';

// Real setImmediate stays: React flushes effects (Ink's input listener) with it.
const FAKE = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as const;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let handles: DashboardHandle[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: [...FAKE] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  for (const h of handles) h.unmount();
  handles = [];
  vi.useRealTimers();
});

const small = [
  task('fetch', { runtime: 10, limit: 60 }),
  ...fanout('ens.sim', 3, { group: 'ens', runtime: 100, limit: 600 }),
  task('ens.post', { group: 'ens', runtime: 5 }),
  task('report'),
];

async function start(opts: Partial<DashboardOptions> & { columns?: number; rows?: number } = {}) {
  const stdout = new FakeStdout(opts.columns ?? 80, opts.rows ?? 20);
  const stdin = new FakeStdin();
  const calls: string[] = [];
  const handle = startDashboard({
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    noColor: true,
    file: 'climate.toml',
    readLogTail: fakeTail,
    onCancel: () => calls.push('cancel'),
    onQuit: () => calls.push('quit'),
    onInterrupt: () => calls.push('interrupt'),
    canDetach: true,
    ...opts,
    columns: undefined,
    rows: undefined,
  });
  handles.push(handle);
  await settle();
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      stdin.type(k);
      await settle();
    }
    vi.advanceTimersByTime(100);
  };
  return { stdout, stdin, handle, calls, press, frame: () => stdout.lastFrame() };
}

/** The small campaign at T0+5s: fetch done, sims running, one sim failed. */
function midRun(h: DashboardHandle) {
  h.sink.handle(ev.started(small, T0));
  h.sink.handle(ev.begin('fetch', T0 + 100, { pid: 4100 }));
  h.sink.handle(ev.ok('fetch', T0 + 1100, 1000));
  for (let i = 0; i < 3; i++) h.sink.handle(ev.begin(`ens.sim[i=${i}]`, T0 + 1200 + i, { jobId: `77_${i}` }));
  h.sink.handle(ev.fail('ens.sim[i=1]', T0 + 4000, 'exit code 2'));
}

describe('startDashboard', () => {
  test('draws the waiting screen at once, the run at the next throttle tick', async () => {
    const { handle, frame } = await start();
    expect(frame()).toMatchInlineSnapshot(`
      "campaign · waiting for the run to start
      q quit view · f failures only · ↑↓/j k move · enter expand · l log tail"
    `);
    handle.sink.handle(ev.started(small, T0));
    vi.advanceTimersByTime(99);
    expect(frame()).toContain('waiting for the run to start');
    vi.advanceTimersByTime(1);
    expect(frame()).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 0s · ETA — · —/s
      [....................................................................]   0%  0/6
      . 6 pend  ~ 0 queue  > 0 run  = 0 ok  X 0 fail  - 0 skip  / 0 canc
      Subcampaigns
      ›  fetch    [..........]   0% 0/1
       ▾ ens      [..........]   0% 0/4
           sim ×3 [..........]   0% 0/3
           post   [..........]   0% 0/1
         report   [..........]   0% 0/1
      q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l log"
    `);
    expect(handle.stats()).toEqual({ events: 1, redraws: 2, maxLatencyMs: 100, busyMs: 0 });
  });

  test('j/k and arrows move the selection; enter folds and unfolds a group', async () => {
    const { handle, frame, press } = await start();
    midRun(handle);
    vi.advanceTimersByTime(5000);
    expect(frame()).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 5s · ETA 5s · 24.5/min
      [===========XXXXXXXXXXX>>>>>>>>>>>>>>>>>>>>>>>.......................]  33%  2/6
      . 2 pend  ~ 0 queue  > 2 run  = 1 ok  X 1 fail  - 0 skip  / 0 canc
      Subcampaigns
      ›  fetch    [==========] 100% 1/1
       ▾ ens      [XXX>>>>>..]  25% 1/4 X1 >2
           sim ×3 [XXX>>>>>>>]  33% 1/3 X1 >2
           post   [..........]   0% 0/1
         report   [..........]   0% 0/1
      Running · 2 · longest first
        ens.sim[i=0]  3s / 10m00s  job 77_0
        ens.sim[i=2]  3s / 10m00s  job 77_2
      Failures · 1
      ✘ ens.sim[i=1]  exit code 2
        │ Traceback (most recent call last):
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ens.sim[i=1].1.err)
        log: /logs/ens.sim[i=1].1.err
      q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l log"
    `);
    await press('j');
    expect(frame()).toContain('›▾ ens');
    await press('\r');
    expect(frame()).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 5s · ETA 5s · 23.5/min
      [===========XXXXXXXXXXX>>>>>>>>>>>>>>>>>>>>>>>.......................]  33%  2/6
      . 2 pend  ~ 0 queue  > 2 run  = 1 ok  X 1 fail  - 0 skip  / 0 canc
      Subcampaigns
         fetch  [==========] 100% 1/1
      ›▸ ens    [XXX>>>>>..]  25% 1/4 X1 >2
         report [..........]   0% 0/1
      Running · 2 · longest first
        ens.sim[i=0]  4s / 10m00s  job 77_0
        ens.sim[i=2]  3s / 10m00s  job 77_2
      Failures · 1
      ✘ ens.sim[i=1]  exit code 2
        │ Traceback (most recent call last):
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ens.sim[i=1].1.err)
        log: /logs/ens.sim[i=1].1.err
      q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l log"
    `);
    await press('\u001B[B', '\u001B[B');
    expect(frame()).toContain('›  report');
    await press('k', '\u001B[A', 'k');
    expect(frame()).toContain('›  fetch');
    await press('j', '\r');
    expect(frame()).toContain('›▾ ens');
    expect(frame()).toContain('     sim ×3');
  });

  test('f shows failures only, with longer stderr tails; f again shows everything', async () => {
    const { handle, frame, press } = await start();
    midRun(handle);
    vi.advanceTimersByTime(5000);
    await press('f');
    expect(frame()).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 5s · ETA 5s · 24.0/min
      [===========XXXXXXXXXXX>>>>>>>>>>>>>>>>>>>>>>>.......................]  33%  2/6
      . 2 pend  ~ 0 queue  > 2 run  = 1 ok  X 1 fail  - 0 skip  / 0 canc
      Subcampaigns · failures only
      ›▾ ens      [XXX>>>>>..]  25% 1/4 X1 >2
           sim ×3 [XXX>>>>>>>]  33% 1/3 X1 >2
      Failures · 1
      ✘ ens.sim[i=1]  exit code 2
        │ Traceback (most recent call last):
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ens.sim[i=1].1.err)
        log: /logs/ens.sim[i=1].1.err
      q quit view · c cancel · f show all · ↑↓/j k move · enter expand · l log tail"
    `);
    await press('f');
    expect(frame()).toContain('Running · 2');
  });

  test('l shows the log tail of the selected row, read through readLogTail', async () => {
    const reads: string[] = [];
    const { handle, frame, press } = await start({
      readLogTail: (path, n) => {
        reads.push(`${path}:${n}`);
        return fakeTail(path, n);
      },
    });
    midRun(handle);
    vi.advanceTimersByTime(5000);
    reads.length = 0;
    await press('j', 'j', 'l');
    expect(frame()).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 5s · ETA 5s · 24.0/min
      [===========XXXXXXXXXXX>>>>>>>>>>>>>>>>>>>>>>>.......................]  33%  2/6
      . 2 pend  ~ 0 queue  > 2 run  = 1 ok  X 1 fail  - 0 skip  / 0 canc
      Subcampaigns
         fetch    [==========] 100% 1/1
       ▾ ens      [XXX>>>>>..]  25% 1/4 X1 >2
      ›    sim ×3 [XXX>>>>>>>]  33% 1/3 X1 >2
           post   [..........]   0% 0/1
         report   [..........]   0% 0/1
      Log · ens.sim[i=1] · /logs/ens.sim[i=1].1.err
        Traceback (most recent call last):
          File "member.py", line 42, in <module>
        ValueError: seed out of range (ens.sim[i=1].1.err)
      q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l close"
    `);
    expect(reads).toEqual(['/logs/ens.sim[i=1].1.err:8']);
    await press('\u001B');
    expect(frame()).not.toContain('Log ·');
    expect(frame()).toContain('Running · 2');
  });

  test('a log that cannot be read says so instead of failing the view', async () => {
    const { handle, frame, press } = await start({
      readLogTail: () => {
        throw new Error('ENOENT: no such file');
      },
    });
    midRun(handle);
    vi.advanceTimersByTime(500);
    await press('j', 'j', 'l');
    expect(frame()).toContain(
      'Log · ens.sim[i=1] · /logs/ens.sim[i=1].1.err\n  (cannot read the log: ENOENT: no such file)',
    );
  });

  test('c asks first; n keeps the run, y cancels it once', async () => {
    const { handle, frame, press, calls } = await start();
    midRun(handle);
    vi.advanceTimersByTime(5000);
    await press('c');
    expect(frame().split('\n').at(-1)).toBe('Cancel the run? y/n');
    await press('n');
    expect(frame().split('\n').at(-1)).toBe('q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l log');
    expect(calls).toEqual([]);
    await press('c', 'y');
    expect(calls).toEqual(['cancel']);
    expect(frame().split('\n')[0]).toBe(
      'climate-ensemble · cancelling… · r-0101-1200 · slurm · 5s · ETA 5s · 23.1/min',
    );
    await press('c');
    expect(calls).toEqual(['cancel']);
    expect(frame().split('\n').at(-1)).toBe(
      'q quit view · f failures only · ↑↓/j k move · enter expand · l log tail',
    );
  });

  test('q leaves the view when the run can go on without it', async () => {
    const { handle, press, calls } = await start({ canDetach: true });
    midRun(handle);
    vi.advanceTimersByTime(500);
    await press('q');
    expect(calls).toEqual(['quit']);
    await expect(handle.waitUntilExit()).resolves.toBeUndefined();
    handle.sink.handle(ev.ok('ens.sim[i=0]', T0 + 9000));
    expect(handle.stats().events).toBe(7);
  });

  test('q asks to cancel when leaving would stop the run', async () => {
    const { handle, frame, press, calls } = await start({ canDetach: false });
    midRun(handle);
    vi.advanceTimersByTime(500);
    await press('q');
    expect(frame().split('\n').at(-1)).toBe('The run stops when you leave: cancel it? y/n');
    await press('n');
    expect(calls).toEqual([]);
    await press('q', 'y');
    expect(calls).toEqual(['cancel', 'quit']);
    await expect(handle.waitUntilExit()).resolves.toBeUndefined();
  });

  test('Ctrl-C is handed to the caller', async () => {
    const { press, calls } = await start();
    await press('\u0003');
    expect(calls).toEqual(['interrupt']);
  });

  test('no redraw when nothing changed; one a second while only the clock moves', async () => {
    const { handle, stdout, press } = await start();
    handle.sink.handle(ev.started(small, T0));
    vi.advanceTimersByTime(100);
    const redraws = () => handle.stats().redraws;
    const before = redraws();
    const frames = stdout.frames();
    handle.sink.handle(ev.ok('no-such-task', T0 + 150));
    await press('x');
    vi.advanceTimersByTime(300);
    expect(redraws()).toBe(before);
    expect(stdout.frames()).toBe(frames);
    // The elapsed time shown changes once a second, and only that is redrawn.
    vi.advanceTimersByTime(10_000 - 500);
    expect(redraws()).toBe(before + 10);
    expect(stdout.lastFrame().split('\n')[0]).toBe(
      'climate-ensemble · run r-0101-1200 · slurm · elapsed 10s · ETA — · —/s',
    );
    handle.sink.handle(
      ev.finished(Date.now(), 'cancelled', {
        pending: 6,
        queued: 0,
        running: 0,
        succeeded: 0,
        failed: 0,
        skipped: 0,
        cancelled: 0,
      }),
    );
    vi.advanceTimersByTime(100);
    const done = redraws();
    const doneFrames = stdout.frames();
    vi.advanceTimersByTime(60_000);
    expect(redraws()).toBe(done);
    expect(stdout.frames()).toBe(doneFrames);
  });

  test('1,000 events a second redraw at most 10 times a second', async () => {
    const { handle, stdout } = await start();
    const many = fanout('x', 1000);
    handle.sink.handle(ev.started(many, T0));
    vi.advanceTimersByTime(1000);
    const before = handle.stats().redraws;
    const frames = stdout.frames();
    for (let ms = 0; ms < 1000; ms++) {
      handle.sink.handle(ev.begin(`x[i=${ms}]`, Date.now(), { pid: 1000 + ms }));
      vi.advanceTimersByTime(1);
    }
    const redraws = handle.stats().redraws - before;
    expect(redraws).toBeLessThanOrEqual(10);
    expect(redraws).toBeGreaterThanOrEqual(9);
    expect(stdout.frames() - frames).toBe(redraws);
    expect(handle.stats().maxLatencyMs).toBeLessThanOrEqual(100);
  });

  test('expensive frames are spaced out: drawing stays near an eighth of a core', async () => {
    // A clock that moves 40 ms whenever Ink writes a frame: every redraw seems to cost 40 ms.
    let slow = 0;
    const { handle, stdout } = await start({ now: () => Date.now() + slow });
    const write = stdout.write;
    stdout.write = (chunk: string) => {
      if (strip(chunk).trim() !== '') slow += 40;
      return write(chunk);
    };
    const many = fanout('x', 1000);
    handle.sink.handle(ev.started(many, T0));
    vi.advanceTimersByTime(1000);
    const before = handle.stats().redraws;
    for (let ms = 0; ms < 2000; ms++) {
      handle.sink.handle(ev.begin(`x[i=${ms % 1000}]`, Date.now(), { pid: ms }));
      vi.advanceTimersByTime(1);
    }
    // 8 x 40 ms = 320 ms between frames instead of 100 ms (280 ms of timer time, since this clock
    // also jumps 40 ms per frame): under 4 a second, not 10.
    const perSecond = (handle.stats().redraws - before) / 2;
    expect(perSecond).toBeLessThanOrEqual(4);
    expect(perSecond).toBeGreaterThanOrEqual(3);
  });

  test('a resize redraws at the new size at once', async () => {
    const { handle, stdout, frame } = await start({ columns: 100, rows: 30 });
    midRun(handle);
    vi.advanceTimersByTime(5000);
    stdout.resize(60, 15);
    const lines = frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(14);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(60);
    expect(frame()).toMatchInlineSnapshot(`
      "climate-ensemble · 5s · ETA 5s · 24.5/min
      [========XXXXXXXX>>>>>>>>>>>>>>>>................]  33%  2/6
      . 2 pend  > 2 run  = 1 ok  X 1 fail
      Subcampaigns
      ›  fetch  [======] 100% 1/1
       ▸ ens    [XX>>>.]  25% 1/4 X1 >2
         report [......]   0% 0/1
      Running · 2 · longest first
        ens.sim[i=0]  3s / 10m00s  job 77_0
        ens.sim[i=2]  3s / 10m00s  job 77_2
      Failures · 1
      ✘ ens.sim[i=1]  exit code 2
        log: /logs/ens.sim[i=1].1.err
      q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l log"
    `);
  });

  test('close leaves the summary on screen and the scroll-back above it', async () => {
    const { handle, stdout, frame } = await start({ columns: 100, rows: 30 });
    midRun(handle);
    handle.sink.handle(ev.ok('ens.sim[i=0]', T0 + 6000, 4800));
    handle.sink.handle(ev.ok('ens.sim[i=2]', T0 + 6500, 5300));
    handle.sink.handle(ev.skipped('ens.post', T0 + 6600, 'ens.sim'));
    handle.sink.handle(ev.skipped('report', T0 + 6600, 'ens.post'));
    handle.sink.handle(
      ev.finished(T0 + 7000, 'failed', {
        pending: 0,
        queued: 0,
        running: 0,
        succeeded: 3,
        failed: 1,
        skipped: 2,
        cancelled: 0,
      }),
    );
    await handle.sink.close?.();
    await expect(handle.waitUntilExit()).resolves.toBeUndefined();
    expect(frame()).toMatchInlineSnapshot(`
      "✘ climate-ensemble failed after 7s · run r-0101-1200 · slurm
      [============================================XXXXXXXXXXXXXXX-----------------------------] 100%  6/6
      . 0 pending  ~ 0 queued  > 0 running  = 3 succeeded  X 1 failed  - 2 skipped  / 0 cancelled
      Failures · 1
      ✘ ens.sim[i=1]  exit code 2
        log: /logs/ens.sim[i=1].1.err
        │ Traceback (most recent call last):
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ens.sim[i=1].1.err)
      Retry the failures: campaign run climate.toml --retry-failed"
    `);
    const scrollBack = stdout.writes.map((w) => w.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '')).join('');
    expect(scrollBack).toContain('✔ fetch  1/1 succeeded in 1s\n');
    expect(scrollBack).toContain('✘ ens.sim[i=1]  exit code 2\n  log: /logs/ens.sim[i=1].1.err\n');
    expect(scrollBack).toContain('✘ ens.sim ×3  2/3 succeeded, 1 failed in 5s\n');
    expect(scrollBack).toContain('✘ ens  2/4 succeeded, 1 failed, 1 skipped in 5s\n');
    handle.sink.handle(ev.started(small, T0 + 8000));
    expect(handle.stats().events).toBe(12);
  });
});
