import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobBook } from '../../src/schedulers/batch/book.js';
import { Ledger, readLedger } from '../../src/schedulers/batch/ledger.js';
import type { Handle } from '../../src/schedulers/contract.js';
import { parseResult } from '../../src/schedulers/launcher/result.js';
import { qdelTargets } from '../../src/schedulers/sge/cancel.js';
import { parseConfig } from '../../src/schedulers/sge/cluster.js';
import { groupSubmissions, type Pending } from '../../src/schedulers/sge/group.js';
import { classify } from '../../src/schedulers/sge/hold.js';
import { expandTasks, taskRanges, withIndex } from '../../src/schedulers/sge/ids.js';
import { phaseOf, verdict } from '../../src/schedulers/sge/outcome.js';
import { memoryMiB, parseAccounting } from '../../src/schedulers/sge/qacct.js';
import { parseQstatXml } from '../../src/schedulers/sge/qstat.js';
import { RES, sub } from './helpers.js';

const h = (jobId: string, taskId = jobId): Handle =>
  withIndex({ taskId, attempt: 1, jobId, files: { out: '/o', err: '/e', result: `/r/${taskId}` } });

describe('reading Grid Engine', () => {
  it('parses qstat -xml: running tasks one by one, pending ranges expanded, plain jobs, entities', () => {
    const xml = `<?xml version='1.0'?>
<job_info  xmlns:xsd="http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/qstat.xsd">
  <queue_info>
    <job_list state="running">
      <JB_job_number>54</JB_job_number>
      <JB_name>c.r1.ab-1</JB_name>
      <state>r</state>
      <queue_name>all.q@node7</queue_name>
      <tasks>1</tasks>
    </job_list>
  </queue_info>
  <job_info>
    <job_list state="pending">
      <JB_job_number>55</JB_job_number>
      <JB_name>a&amp;b</JB_name>
      <state>Eqw</state>
      <queue_name></queue_name>
    </job_list>
    <job_list state="pending">
      <JB_job_number>54</JB_job_number>
      <JB_name>c.r1.ab-1</JB_name>
      <state>qw</state>
      <queue_name></queue_name>
      <tasks>2-5:1</tasks>
    </job_list>
    <job_list state="pending">
      <JB_job_number>56</JB_job_number>
      <JB_name>h</JB_name>
      <state>hqw</state>
      <tasks>1,3,6-10:2</tasks>
    </job_list>
  </job_info>
</job_info>`;
    const rows = parseQstatXml(xml);
    expect(rows.map((r) => `${r.jobId}:${r.state}:${r.host}`)).toEqual([
      '54.1:r:node7',
      '55:Eqw:',
      '54.2:qw:',
      '54.3:qw:',
      '54.4:qw:',
      '54.5:qw:',
      '56.1:hqw:',
      '56.3:hqw:',
      '56.6:hqw:',
      '56.8:hqw:',
      '56.10:hqw:',
    ]);
    expect(rows[1]!.name).toBe('a&b');
    expect(parseQstatXml('<job_info>\n  <queue_info>\n  </queue_info>\n</job_info>')).toEqual([]);
  });

  it('reads every state letter as queued, running or error', () => {
    const states = [
      'qw',
      'hqw',
      'hRwq',
      'Rq',
      'r',
      't',
      'Rr',
      'Rt',
      's',
      'S',
      'T',
      'dr',
      'dt',
      'Eqw',
      'Ehqw',
    ];
    expect(Object.fromEntries(states.map((s) => [s, phaseOf(s)]))).toEqual({
      qw: 'queued',
      hqw: 'queued',
      hRwq: 'queued',
      Rq: 'queued',
      r: 'running',
      t: 'running',
      Rr: 'running',
      Rt: 'running',
      s: 'running',
      S: 'running',
      T: 'running',
      dr: 'running',
      dt: 'running',
      Eqw: 'error',
      Ehqw: 'error',
    });
  });

  it('parses qacct -j records: the last one of a job run twice, kills, peaks and requests', () => {
    const block = (job: number, task: string, failed: string, exit: string, vmem: string, category: string) =>
      `==============================================================
qname        all.q
hostname     vm
jobname      c.r1.ab-1
jobnumber    ${job}
taskid       ${task}
failed       ${failed}
exit_status  ${exit}
ru_wallclock 3s
maxvmem      ${vmem}
category     ${category}
`;
    const text =
      block(7, 'undefined', '0    ', '99', '1.000MB', 'NONE') +
      block(
        7,
        'undefined',
        '37  : qmaster enforced h_rt, h_cpu, or h_vmem limit',
        '137                  (Killed)',
        '103.730MB',
        '-l h_rt=10,h_vmem=100M',
      ) +
      block(8, '2', '100 : assumedly after job', '137', '8.398MB', '-pe smp 2 -l h_vmem=1G');
    const records = parseAccounting(text);
    expect([...records.keys()]).toEqual(['7', '8.2']);
    expect(records.get('7')).toMatchObject({
      failed: 37,
      failedText: 'qmaster enforced h_rt, h_cpu, or h_vmem limit',
      exitStatus: 137,
      wallSeconds: 3,
    });
    expect(records.get('7')!.maxVmemMiB).toBeCloseTo(103.73);
    expect([...records.get('7')!.requests]).toEqual([
      ['h_rt', '10'],
      ['h_vmem', '100M'],
    ]);
    expect(records.get('8.2')).toMatchObject({ failed: 100, exitStatus: 137 });
    expect(['100M', '2G', '500m', '0.000B', '512', '1.5GB', 'x'].map(memoryMiB)).toEqual([
      100,
      2048,
      500_000_000 / 1024 ** 2,
      0,
      512 / 1024 ** 2,
      1536,
      undefined,
    ]);
  });

  it('reads max_aj_tasks and accounting from qconf -sconf', () => {
    const conf = `#global:
max_aj_instances             2000
max_aj_tasks                 100001
reporting_params             accounting=false reporting=false \\
                             flush_time=00:00:01 joblog=false`;
    expect(parseConfig(conf)).toEqual({ maxArrayTasks: 100_001, accounting: false });
    expect(parseConfig('max_aj_tasks 0\n')).toEqual({ maxArrayTasks: 2 ** 31 - 1, accounting: true });
    expect(parseConfig('')).toEqual({ maxArrayTasks: 75_000, accounting: true });
  });

  it('expands and folds task ranges', () => {
    expect(expandTasks('1-3:1,7,10-14:2')).toEqual([1, 2, 3, 7, 10, 12, 14]);
    expect(expandTasks('undefined')).toEqual([]);
    expect(taskRanges([9, 1, 2, 3, 7, 8, 5])).toEqual(['1-3', '5', '7-9']);
  });
});

describe('judging how a job ended', () => {
  const result = (line: string) =>
    parseResult(`v1 ${line} wall_ms=10 cpu_ms=0 maxrss_kib=100 start_ms=1 pid=1\n`)!;
  const record = (
    failed: number,
    exitStatus: number,
    requests: Record<string, string>,
    maxVmemMiB?: number,
  ) => ({
    jobId: '1',
    failed,
    failedText: '',
    exitStatus,
    requests: new Map(Object.entries(requests)),
    host: 'n',
    wallSeconds: 4,
    ...(maxVmemMiB !== undefined ? { maxVmemMiB } : {}),
  });

  it('by the result line when there is one', () => {
    expect(verdict({ result: result('exit=0 signal=0 timedout=0 cancelled=0') })).toEqual({
      outcome: { exitCode: 0, wallMs: 10, cpuMs: 0, maxRssKiB: 100, schedulerState: 'finished' },
    });
    expect(verdict({ result: result('exit=3 signal=0 timedout=0 cancelled=0'), state: 'Eqw' })).toMatchObject(
      {
        failure: 'failed',
        message: 'exit code 3',
        outcome: { schedulerState: 'Eqw' },
      },
    );
    expect(verdict({ result: result('exit=-1 signal=15 timedout=1 cancelled=0'), limit: 5 })).toMatchObject({
      failure: 'timeout',
      message: 'timed out after 5s',
    });
    expect(
      verdict({ result: result('exit=0 signal=0 timedout=0 cancelled=0 verify=outputs missing=a%20b.txt') }),
    ).toMatchObject({ failure: 'outputs', message: 'missing output a b.txt' });
    const refused = {
      result: result('exit=1 signal=0 timedout=0 cancelled=0'),
      stderrTail: 'x\nMemoryError\n',
    };
    expect(verdict({ ...refused, memory: 'h_vmem=100M' })).toMatchObject({ failure: 'oom' });
    expect(verdict(refused)).toMatchObject({ failure: 'failed' });
  });

  it('by Grid Engine when there is none: error reason, accounting, or what was seen', () => {
    expect(verdict({ state: 'Eqw', reason: "can't chdir to /x" })).toEqual({
      outcome: { schedulerState: 'Eqw' },
      failure: 'failed',
      message: "Grid Engine error: can't chdir to /x",
    });
    expect(
      verdict({ record: record(37, 137, { h_vmem: '100M', h_rt: '60' }, 101), ran: true }),
    ).toMatchObject({
      failure: 'oom',
      outcome: { signal: 'SIGKILL', schedulerState: 'failed 37', wallMs: 4000 },
    });
    // The recorded peak can be far below the kill's: the wall time against h_rt tells.
    expect(verdict({ record: record(37, 137, { h_vmem: '100M', h_rt: '0:01:00' }, 20) })).toMatchObject({
      failure: 'oom',
      message: 'out of memory: Grid Engine killed it over h_vmem=100M',
    });
    expect(verdict({ record: record(37, 137, { h_vmem: '100M', h_rt: '3' }, 20), limit: 2 })).toMatchObject({
      failure: 'timeout',
      message: 'timed out: Grid Engine killed it at h_rt=3 (limit 2s)',
    });
    expect(verdict({ record: record(37, 137, {}) })).toMatchObject({ failure: 'timeout' });
    expect(verdict({ record: record(100, 137, {}) })).toMatchObject({ failure: 'cancelled' });
    expect(verdict({ record: record(0, 0, {}) })).toMatchObject({ failure: 'lost' });
    expect(verdict({ ran: false })).toMatchObject({ failure: 'cancelled', message: 'deleted while pending' });
    expect(verdict({ ran: true })).toMatchObject({ failure: 'lost' });
  });
});

describe('grouping submissions into array jobs', () => {
  const root = mkdtempSync(join(tmpdir(), 'sge-logic-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const sizes = new Map([
    ['100', 3],
    ['101', 3],
    ['102', 4],
  ]);
  const sizeOf = (id: string) => sizes.get(id);
  const pending = (task: string, after: Handle[] = [], extra = {}): Pending => ({
    position: 0,
    submission: sub(root, task, 'true', extra),
    after,
  });
  const shape = (p: Pending[], max = 1000) =>
    groupSubmissions(
      p.map((x, position) => ({ ...x, position })),
      sizeOf,
      max,
    ).map((g) => ({
      wait:
        g.wait.kind === 'ad' ? `ad:${g.wait.arrays}` : g.wait.kind === 'jobs' ? `jobs:${g.wait.jobs}` : '',
      size: g.array ? g.size : 0,
      members: g.members.map((m) => `${m.index}=${m.submission.taskId}`).join(' '),
    }));

  it('instance to instance with -hold_jid_ad only over the whole upstream range; else the whole arrays', () => {
    const one = [1, 2, 3].map((i) => pending(`b${i}`, [h(`100.${i}`)]));
    expect(shape(one)).toEqual([{ wait: 'ad:100', size: 3, members: '1=b1 2=b2 3=b3' }]);
    // After tasks of two arrays of the same size, at the same index.
    const two = [3, 1, 2].map((i) => pending(`c${i}`, [h(`100.${i}`), h(`101.${i}`)]));
    expect(shape(two)).toEqual([{ wait: 'ad:100,101', size: 3, members: '1=c1 2=c2 3=c3' }]);
    // Two of three: Grid Engine would refuse the ranges.
    expect(shape([1, 3].map((i) => pending(`d${i}`, [h(`100.${i}`)])))).toEqual([
      { wait: 'jobs:100', size: 2, members: '1=d1 2=d3' },
    ]);
    // Sizes differ, or one size is unknown: whole arrays.
    expect(classify([h('100.1'), h('102.1')], sizeOf)).toEqual({ kind: 'jobs', jobs: ['100', '102'] });
    expect(classify([h('200.1')], sizeOf)).toEqual({ kind: 'jobs', jobs: ['200'] });
    expect(classify([h('100.1'), h('7')], sizeOf)).toEqual({ kind: 'jobs', jobs: ['7', '100'] });
    // Two dependents of each upstream task: two arrays of the same range.
    const twice = [1, 2, 3].flatMap((i) => [
      pending(`e${i}`, [h(`100.${i}`)]),
      pending(`f${i}`, [h(`100.${i}`)]),
    ]);
    expect(shape(twice)).toEqual([
      { wait: 'ad:100', size: 3, members: '1=e1 2=e2 3=e3' },
      { wait: 'ad:100', size: 3, members: '1=f1 2=f2 3=f3' },
    ]);
  });

  it('equal requests and waits share an array, split at max_aj_tasks; a group of one is a plain job', () => {
    const fan = Array.from({ length: 5 }, (_, i) => pending(`t${i}`));
    expect(shape(fan, 2)).toEqual([
      { wait: '', size: 2, members: '1=t0 2=t1' },
      { wait: '', size: 2, members: '1=t2 2=t3' },
      { wait: '', size: 0, members: '1=t4' },
    ]);
    const mixed = [
      pending('m0'),
      pending('m1', [], { resources: { ...RES, memory: 1 } }),
      pending('m2', [], { throttle: { key: 'n', max: 2 } }),
      pending('m3', [], { throttle: { key: 'n', max: 2 } }),
      pending('m4', [h('7')]),
    ];
    expect(shape(mixed)).toEqual([
      { wait: '', size: 0, members: '1=m0' },
      { wait: '', size: 0, members: '1=m1' },
      { wait: '', size: 2, members: '1=m2 2=m3' },
      { wait: 'jobs:7', size: 0, members: '1=m4' },
    ]);
  });
});

describe('the book, the ledger and qdel targets', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sge-ledger-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds what is held for a job, through others, nearest first', () => {
    const book = new JobBook();
    book.addHold('20.1', ['10.1']);
    book.addHold('20.2', ['10.2']);
    book.addHold('30', ['20.1', '20.2']);
    book.addHold('40', ['30']);
    expect(book.heldFor('10.1')).toEqual(['20.1', '30', '40']);
    expect(book.heldFor('10.3')).toEqual([]);
  });

  it('writes and reads the ledger: scripts, tasks, upstreams of each or of all, job ids', () => {
    const ledger = new Ledger(join(tmp, 'submissions.tsv'));
    ledger.recordScript({
      token: 't-1',
      jobName: 'c.r.t-1',
      script: '/s/t-1.sh',
      array: true,
      upstreams: [],
      members: [
        { index: 1, taskId: 'a[0]', attempt: 1, upstreams: ['9.1'] },
        { index: 2, taskId: 'a\t1', attempt: 2, upstreams: ['9.2'] },
      ],
    });
    ledger.recordScript({
      token: 't-2',
      jobName: 'c.r.t-2',
      script: '/s/t-2.sh',
      array: false,
      upstreams: ['11', '12.3'],
      members: [{ index: 1, taskId: 'sum', attempt: 1, upstreams: [] }],
    });
    ledger.recordJob('t-1', '13');
    const { entries, byAttempt } = readLedger(join(tmp, 'submissions.tsv'));
    expect(entries.get('t-1')).toMatchObject({
      jobId: '13',
      array: true,
      members: [
        { index: 1, taskId: 'a[0]', attempt: 1, upstreams: ['9.1'] },
        { index: 2, taskId: 'a\t1', attempt: 2, upstreams: ['9.2'] },
      ],
    });
    expect(entries.get('t-2')).toMatchObject({ upstreams: ['11', '12.3'], array: false });
    expect(entries.get('t-2')!.jobId).toBeUndefined();
    expect(byAttempt.get('a\t1\u00002')).toEqual({ token: 't-1', index: 2 });
  });

  it('deletes a whole array when every task of it still watched goes, else its tasks as ranges', () => {
    const watched = ['5.1', '5.2', '5.3', '6.1', '6.2', '6.3', '7'];
    expect(qdelTargets([h('5.1'), h('5.2'), h('5.3'), h('7'), h('6.2')], watched)).toEqual(['5', '7', '6.2']);
    expect(qdelTargets([h('6.1'), h('6.3'), h('6.2')], ['6.1', '6.2', '6.3', '6.4'])).toEqual(['6.1-3']);
    expect(qdelTargets([h('8.4')], [])).toEqual(['8.4']);
  });
});
