import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, TaskInfo } from '../../src/exec/events.js';
import { loadCampaign } from '../../src/model/load.js';
import type { TaskGraph } from '../../src/model/tasks.js';
import { readAttempts } from '../../src/state/attempts.js';
import { readJournal } from '../../src/state/journal.js';
import { JournalDecoder, type JournalRecord } from '../../src/state/journal-codec.js';
import { JournalSink } from '../../src/state/journal-sink.js';
import { resolveState } from '../../src/state/layout.js';
import type { StatePaths } from '../../src/state/paths.js';
import { StateStore } from '../../src/state/store.js';
import { dedent, Rig } from '../rig.js';

/**
 * The journal's writer and reader together: every record kind, written from events with every
 * field the journal keeps, reads back as exactly those records and decodes to exactly those
 * events. (`cancelling` and `halted` are not journal facts; an outcome's `verified` is the
 * engine's own note of where the outputs were checked, acted on before the record is written.)
 */
let rig: Rig;
let graph: TaskGraph;
let paths: StatePaths;
let file: string;

const RUN0 = '20260101_000000_run001';
const RUN = '20260101_010000_run002';
const T = Date.UTC(2026, 0, 1, 1, 0, 0);

beforeAll(async () => {
  rig = new Rig('campaign-journal-');
  file = rig.write(
    'c.toml',
    dedent(`
      [campaign]
      name = "rt"
      [campaign.a]
      command = "a"
      [campaign.b]
      command = "b"
      [campaign.c]
      command = "c"
      depends_on = ["a"]
    `),
  );
  const loaded = await loadCampaign(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  graph = loaded.value.tasks;
  paths = resolveState(file);
});
afterAll(() => rig.cleanup());

const infos: TaskInfo[] = [
  { id: 'a', group: '', node: 'a', runtime: 600, limit: 1200, state: 'pending' },
  { id: 'b', group: '', node: 'b', state: 'running' },
  { id: 'c', group: '', node: 'c', state: 'succeeded' },
];

const logs = (run: string, id: string, a: number) => {
  const f = paths.attempt(run, id, a);
  return { out: f.out, err: f.err };
};

/** Every event the journal records, each with every field it keeps. */
function events(): EngineEvent[] {
  return [
    {
      type: 'run',
      reason: 'started',
      t: T,
      runId: RUN,
      campaign: 'rt',
      scheduler: 'slurm',
      stateDir: paths.root,
      tasks: infos,
    },
    {
      type: 'task',
      reason: 'queued',
      t: T + 1,
      id: 'a',
      attempt: 1,
      request: { cores: 4, memory: 2048, gpus: 1, runtime: 600, limit: 1200, partition: 'debug' },
    },
    { type: 'task', reason: 'queued', t: T + 2, id: 'a', attempt: 1, where: { jobId: '153_0' } },
    {
      type: 'task',
      reason: 'queued',
      t: T + 3,
      id: 'b',
      attempt: 1,
      where: { pid: 4242, host: 'vm' },
      fromRun: RUN0,
    },
    {
      type: 'task',
      reason: 'started',
      t: T + 4,
      id: 'a',
      attempt: 1,
      where: { jobId: '153_0', host: 'node7' },
      logs: logs(RUN, 'a', 1),
    },
    {
      type: 'task',
      reason: 'started',
      t: T + 5,
      id: 'b',
      attempt: 1,
      where: { pid: 4242, host: 'vm' },
      logs: logs(RUN0, 'b', 1),
      fromRun: RUN0,
    },
    {
      type: 'task',
      reason: 'failed',
      t: T + 6,
      id: 'a',
      attempt: 1,
      outcome: {
        exitCode: 137,
        signal: 'SIGKILL',
        wallMs: 3000,
        cpuMs: 2500,
        maxRssKiB: 2_097_152,
        schedulerState: 'OUT_OF_MEMORY',
      },
      failure: 'oom',
      message: 'out of memory',
      retryIn: 5,
      escalation: 'attempt 2 with 4G after oom at 2G',
      logs: logs(RUN, 'a', 1),
    },
    {
      type: 'task',
      reason: 'succeeded',
      t: T + 7,
      id: 'b',
      attempt: 1,
      outcome: { exitCode: 0, wallMs: 1000, cpuMs: 900, maxRssKiB: 1024, schedulerState: 'COMPLETED' },
      fromRun: RUN0,
    },
    {
      type: 'task',
      reason: 'failed',
      t: T + 8,
      id: 'b',
      attempt: 2,
      outcome: { exitCode: 3, wallMs: 10, cpuMs: 5, maxRssKiB: 512 },
      failure: 'failed',
      message: 'exit code 3',
      logs: logs(RUN0, 'b', 2),
      fromRun: RUN0,
    },
    {
      type: 'task',
      reason: 'skipped',
      t: T + 9,
      id: 'c',
      upstream: 'a',
      message: 'upstream a failed',
    },
    { type: 'task', reason: 'cancelled', t: T + 10, id: 'a', attempt: 2 },
    {
      type: 'run',
      reason: 'finished',
      t: T + 11,
      runId: RUN,
      status: 'failed',
      counts: { pending: 0, queued: 0, running: 0, succeeded: 1, failed: 0, skipped: 1, cancelled: 1 },
    },
  ];
}

function write(run: string, evs: readonly EngineEvent[]): void {
  mkdirSync(paths.run(run), { recursive: true });
  const sink = new JournalSink(
    paths.journal(run),
    graph,
    {
      file,
      fid: paths.identity(file),
      sched: { type: 'slurm', partition: 'debug' },
      argv: ['campaign', 'run'],
      reason: 'new inputs',
    },
    7,
  );
  for (const e of evs) sink.handle(e);
  sink.close();
}

const hashOf = (id: string) => graph.tasks[graph.indexOf.get(id)!]!.hash;

describe('the journal', () => {
  it('writes every record kind with every field', () => {
    write(RUN, events());
    const expected: JournalRecord[] = [
      {
        k: 'run',
        t: T,
        run: RUN,
        pid: process.pid,
        host: hostname(),
        user: userInfo().username,
        argv: ['campaign', 'run'],
        reason: 'new inputs',
        file,
        fid: paths.identity(file),
        campaign: 'rt',
        scheduler: 'slurm',
        sched: { type: 'slurm', partition: 'debug' },
        tasks: 3,
        sel: ['a', 'b', 'c'],
      },
      { k: 'q', t: T + 1, id: 'a', a: 1, rq: { c: 4, m: 2048, g: 1, rt: 600, l: 1200, p: 'debug' } },
      { k: 'q', t: T + 2, id: 'a', a: 1, j: '153_0', pl: 'job' },
      { k: 'q', t: T + 3, id: 'b', a: 1, j: '4242', pl: 'pid', h: 'vm', r0: RUN0 },
      { k: 's', t: T + 4, id: 'a', a: 1, j: '153_0', pl: 'job', h: 'node7', st: T + 4 },
      { k: 's', t: T + 5, id: 'b', a: 1, j: '4242', pl: 'pid', h: 'vm', st: T + 5, r0: RUN0 },
      {
        k: 'f',
        t: T + 6,
        id: 'a',
        a: 1,
        r: 'oom',
        msg: 'out of memory',
        x: 137,
        sg: 'SIGKILL',
        w: 3000,
        c: 2500,
        m: 2_097_152,
        ss: 'OUT_OF_MEMORY',
        re: 5,
        es: 'attempt 2 with 4G after oom at 2G',
      },
      {
        k: 'ok',
        t: T + 7,
        id: 'b',
        a: 1,
        h: hashOf('b'),
        n: 8,
        w: 1000,
        c: 900,
        m: 1024,
        ss: 'COMPLETED',
        r0: RUN0,
      },
      {
        k: 'f',
        t: T + 8,
        id: 'b',
        a: 2,
        r: 'failed',
        msg: 'exit code 3',
        x: 3,
        w: 10,
        c: 5,
        m: 512,
        r0: RUN0,
      },
      { k: 'sk', t: T + 9, id: 'c', up: 'a', msg: 'upstream a failed' },
      { k: 'c', t: T + 10, id: 'a', a: 2 },
      {
        k: 'end',
        t: T + 11,
        status: 'failed',
        counts: { pending: 0, queued: 0, running: 0, succeeded: 1, failed: 0, skipped: 1, cancelled: 1 },
      },
    ];
    expect(readJournal(paths.journal(RUN))).toStrictEqual(expected);
  });

  it('reads every record back as the event it records', () => {
    const decoder = new JournalDecoder({
      runId: RUN,
      stateDir: paths.root,
      scheduler: 'local',
      logs,
      tasks: (sel) => infos.filter((t) => sel === undefined || sel.includes(t.id)),
    });
    const back = readJournal(paths.journal(RUN)).map((r) => decoder.decode(r));
    expect(back).toStrictEqual(events());
  });

  it('folds into each task the placement, host and use of its latest attempt', () => {
    const store = new StateStore(paths).load();
    expect(store.tasks.get('b')).toStrictEqual({
      state: 'failed',
      run: RUN0,
      attempt: 2,
      t: T + 8,
      okHash: hashOf('b'),
      okSeq: 8,
      okRun: RUN0,
      okAttempt: 1,
      failure: 'failed',
      message: 'exit code 3',
      exitCode: 3,
      wallMs: 10,
      cpuMs: 5,
      maxRssKiB: 512,
    });
    const a = new StateStore(paths);
    for (const rec of readJournal(paths.journal(RUN)).slice(0, 6)) a.apply(RUN, rec);
    expect(a.tasks.get('a')).toMatchObject({
      state: 'running',
      jobId: '153_0',
      placement: 'job',
      host: 'node7',
    });
    expect(a.tasks.get('b')).toMatchObject({ state: 'running', jobId: '4242', placement: 'pid', host: 'vm' });
  });

  it('lists every attempt with its request, use, placement and times', () => {
    const all = readAttempts(paths, [RUN]);
    expect(all.get('a')).toStrictEqual([
      {
        task: 'a',
        attempt: 1,
        run: RUN,
        state: 'failed',
        queuedAt: T + 1,
        request: { cores: 4, memory: 2048, gpus: 1, runtime: 600, limit: 1200, partition: 'debug' },
        where: { jobId: '153_0', host: 'node7' },
        startedAt: T + 4,
        endedAt: T + 6,
        failure: 'oom',
        message: 'out of memory',
        exitCode: 137,
        signal: 'SIGKILL',
        wallMs: 3000,
        cpuMs: 2500,
        maxRssKiB: 2_097_152,
      },
      { task: 'a', attempt: 2, run: RUN, state: 'cancelled', endedAt: T + 10 },
    ]);
    expect(all.get('b')?.map((x) => [x.run, x.attempt, x.state, x.where])).toStrictEqual([
      [RUN0, 1, 'succeeded', { pid: 4242, host: 'vm' }],
      [RUN0, 2, 'failed', undefined],
    ]);
  });

  it('tells a pid from a job id in records of older heads by whether the hand-over named a job', () => {
    const old = '20260101_020000_run003';
    mkdirSync(paths.run(old), { recursive: true });
    const recs = [
      { k: 'q', t: T, id: 'a', a: 3, j: '160' },
      { k: 's', t: T + 1, id: 'a', a: 3, j: '160', st: T + 1 },
      { k: 'q', t: T, id: 'b', a: 3 },
      { k: 's', t: T + 1, id: 'b', a: 3, j: '5150', st: T + 1 },
    ];
    writeFileSync(paths.journal(old), recs.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const decoder = new JournalDecoder({
      runId: old,
      stateDir: paths.root,
      scheduler: 'local',
      logs,
      tasks: () => [],
    });
    const where = readJournal(paths.journal(old)).map((r) => {
      const e = decoder.decode(r);
      return e && 'where' in e ? e.where : undefined;
    });
    expect(where).toStrictEqual([{ jobId: '160' }, { jobId: '160' }, undefined, { pid: 5150 }]);
    const store = new StateStore(paths).load();
    expect([store.tasks.get('a')?.placement, store.tasks.get('b')?.placement]).toStrictEqual(['job', 'pid']);
    expect(readAttempts(paths, [old]).get('b')?.[0]?.where).toStrictEqual({ pid: 5150 });
  });
});
