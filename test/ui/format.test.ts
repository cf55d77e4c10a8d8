import { describe, expect, test } from 'vitest';
import { allocateBar } from '../../src/ui/dashboard/bar.js';
import { layoutCounts } from '../../src/ui/dashboard/counts.js';
import {
  formatCount,
  formatDuration,
  formatRate,
  sanitizeLine,
  shellQuote,
  textWidth,
  truncate,
  truncateStart,
} from '../../src/ui/dashboard/format.js';

const none = { pending: 0, queued: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };

describe('allocateBar', () => {
  test('splits cells in proportion, finished work first', () => {
    expect(allocateBar({ ...none, succeeded: 50, running: 25, pending: 25 }, 20)).toEqual([
      { state: 'succeeded', cells: 10 },
      { state: 'running', cells: 5 },
      { state: 'pending', cells: 5 },
    ]);
  });

  test('a single failure among thousands still gets a cell, and the width is exact', () => {
    const segs = allocateBar({ ...none, succeeded: 9_998, failed: 1, pending: 1 }, 10);
    expect(segs).toEqual([
      { state: 'succeeded', cells: 8 },
      { state: 'failed', cells: 1 },
      { state: 'pending', cells: 1 },
    ]);
  });

  test('largest remainders get the spare cells', () => {
    expect(allocateBar({ ...none, succeeded: 1, failed: 1, pending: 1 }, 10)).toEqual([
      { state: 'succeeded', cells: 4 },
      { state: 'failed', cells: 3 },
      { state: 'pending', cells: 3 },
    ]);
  });

  test('an empty run is all pending', () => {
    expect(allocateBar(none, 4)).toEqual([{ state: 'pending', cells: 4 }]);
  });
});

describe('layoutCounts', () => {
  const counts = {
    pending: 6004,
    queued: 120,
    running: 64,
    succeeded: 3790,
    failed: 22,
    skipped: 0,
    cancelled: 0,
  };
  const text = (lines: { text: string }[][]) => lines.map((l) => l.map((i) => i.text).join('  '));

  test('full labels when they fit', () => {
    expect(text(layoutCounts(counts, 120, false))).toEqual([
      '· 6,004 pending  ◷ 120 queued  ▶ 64 running  ✔ 3,790 succeeded  ✘ 22 failed  ⊘ 0 skipped  ■ 0 cancelled',
    ]);
  });

  test('shorter labels, then no empty states, then two lines, as the width shrinks', () => {
    expect(text(layoutCounts(counts, 80, true))).toEqual([
      '. 6,004 pend  ~ 120 queue  > 64 run  = 3,790 ok  X 22 fail  - 0 skip  / 0 canc',
    ]);
    expect(text(layoutCounts(counts, 60, true))).toEqual([
      '. 6,004 pend  ~ 120 queue  > 64 run  = 3,790 ok  X 22 fail',
    ]);
    expect(text(layoutCounts(counts, 42, true))).toEqual([
      '. 6,004 pend  ~ 120 queue  > 64 run',
      '= 3,790 ok  X 22 fail  - 0 skip  / 0 canc',
    ]);
    expect(text(layoutCounts(counts, 40, true))).toEqual([
      '. 6,004 pend  ~ 120 queue  > 64 run',
      '= 3,790 ok  X 22 fail',
    ]);
    expect(text(layoutCounts(counts, 30, true))).toEqual(['.6,004  ~120  >64  =3,790  X22']);
  });
});

describe('format', () => {
  test('durations keep two units', () => {
    expect([0, 999, 42_000, 723_000, 3_600_000, 11_220_000, 187_200_000].map(formatDuration)).toEqual([
      '0s',
      '0s',
      '42s',
      '12m03s',
      '1h00m',
      '3h07m',
      '2d04h',
    ]);
  });

  test('counts are grouped the same everywhere', () => {
    expect([0, 999, 1000, 100_000, 1_234_567].map(formatCount)).toEqual([
      '0',
      '999',
      '1,000',
      '100,000',
      '1,234,567',
    ]);
  });

  test('rates pick a unit with a digit before the point', () => {
    expect([0, 12.4, 8.25, 0.5, 0.001].map(formatRate)).toEqual([
      '0/s',
      '12/s',
      '8.3/s',
      '30.0/min',
      '3.6/h',
    ]);
  });

  test('wide characters take two cells', () => {
    expect(textWidth('模拟-1')).toBe(6);
    expect(truncate('模拟模拟', 5)).toBe('模拟…');
    expect(truncateStart('/数据/日志', 5)).toBe('…日志');
    expect(textWidth('e\u0301')).toBe(1);
  });

  test('truncation marks what was cut', () => {
    expect(truncate('ensemble.member', 8)).toBe('ensembl…');
    expect(truncate('short', 8)).toBe('short');
    expect(truncateStart('/scratch/logs/run/err.log', 12)).toBe('…run/err.log');
  });

  test('log lines lose escapes, overdrawn progress and tabs', () => {
    expect(sanitizeLine('\u001B[31merror\u001B[0m:\tbad')).toBe('error:  bad');
    expect(sanitizeLine('10%\r50%\r100%')).toBe('100%');
    expect(sanitizeLine('bell\u0007 here  ')).toBe('bell here');
  });

  test('shell quoting only when needed', () => {
    expect(shellQuote('campaigns/climate.toml')).toBe('campaigns/climate.toml');
    expect(shellQuote("my campaign's.toml")).toBe(`'my campaign'\\''s.toml'`);
  });
});
