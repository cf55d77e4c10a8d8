import { describe, expect, it } from 'vitest';
import {
  type NodeHistory,
  observedEstimate,
  rightSize,
  rightSizeJson,
  stats,
} from '../../src/plan/history.js';
import { nodeHistories } from '../../src/plan/history-records.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const kib = (mib: number) => mib * 1024;

// Four succeeded attempts: peaks 1G, 1.5G, 2G, 1.25G; walls 30m, 40m, 50m, 45m.
const SIM: NodeHistory = {
  node: 'sim',
  request: { cores: 4, memory: 4096, runtime: 7200 },
  succeeded: [
    { maxRssKiB: kib(1024), wallMs: 1_800_000 },
    { maxRssKiB: kib(1536), wallMs: 2_400_000 },
    { maxRssKiB: kib(2048), wallMs: 3_000_000 },
    { maxRssKiB: kib(1280), wallMs: 2_700_000 },
  ],
  failed: [{ failure: 'oom', maxRssKiB: kib(1100) }],
  lastRun: 10,
};

describe('rightSize', () => {
  it('requested against observed against suggested, and the savings, exactly', () => {
    const [r] = rightSize([SIM]);
    expect(r).toEqual({
      node: 'sim',
      samples: 4,
      failed: { count: 1, kinds: { oom: 1 } },
      memory: {
        requested: 4 * GIB,
        median: 1.375 * GIB, // (1.25G + 1.5G) / 2
        p95: 2 * GIB, // nearest rank: the 4th of 4
        max: 2 * GIB,
        suggested: 2458 * MIB, // 2048M x 1.2 = 2457.6M, up to the MiB
      },
      runtime: {
        requested: 7200,
        median: 2550,
        p95: 3000,
        max: 3000,
        suggested: 3600, // 50m x 1.2
      },
      // 10 tasks x 4 cores x (2h - 1h); 10 x (4G x 2h - 2458M x 1h) = 10 x (8 - 2.40039) GiB-hours.
      saves: { coreHours: 40, gbHours: 56 },
      notes: [],
      keeps: { memory: false, runtime: false },
    });
  });

  it('rounds to the scheduler granularity and the minute, never below the maximum', () => {
    const [r] = rightSize([SIM], { memoryGranularity: 1024, headroom: { memory: 0, runtime: 1 } });
    expect(r!.memory.suggested).toBe(2 * GIB); // 2048M, already a whole G
    expect(r!.runtime.suggested).toBe(3060); // 3030s, up to 51m
    const [g] = rightSize([SIM], { memoryGranularity: 1024 });
    expect(g!.memory.suggested).toBe(3 * GIB); // 2457.6M up to 3G
  });

  it('a node with too few samples keeps its request and says so', () => {
    const [r] = rightSize([{ ...SIM, node: 'few', succeeded: SIM.succeeded.slice(0, 2), failed: [] }]);
    expect(r!.memory).toMatchObject({ requested: 4 * GIB, max: 1.5 * GIB, suggested: 4 * GIB });
    expect(r!.runtime).toMatchObject({ requested: 7200, suggested: 7200 });
    expect(r!.saves).toEqual({ coreHours: 0, gbHours: 0 });
    expect(r!.notes).toEqual([
      'memory: 2 samples, fewer than 3: keeps the declared request',
      'runtime: 2 samples, fewer than 3: keeps the declared request',
    ]);
    expect(r!.keeps).toEqual({ memory: true, runtime: true });
    expect(
      rightSize([{ ...SIM, succeeded: SIM.succeeded.slice(0, 2) }], { minSamples: 2 })[0]!.notes,
    ).toEqual([]);
  });

  it('fits a per-item scaling by the largest ratio above the declared base', () => {
    const [r] = rightSize([
      {
        node: 'chunked',
        request: { cores: 1, runtime: 3600 },
        scaling: { memory: { unit: 'item', base: 2048 } },
        // (2560 - 2048) / 10 = 51.2, (3072 - 2048) / 20 = 51.2, (4608 - 2048) / 40 = 64 M per item.
        succeeded: [
          { units: 10, maxRssKiB: kib(2560), wallMs: 600_000 },
          { units: 20, maxRssKiB: kib(3072), wallMs: 900_000 },
          { units: 40, maxRssKiB: kib(4608), wallMs: 1_200_000 },
        ],
        // Asked for by the declared 2G + 50M per item.
        lastRun: [
          { units: 10, memory: 2548 },
          { units: 40, memory: 4048 },
        ],
      },
    ]);
    expect(r!.memory.perUnit).toEqual({ unit: 'item', base: 2 * GIB, suggested: 64 * MIB });
    // (2048 + 64 x 40) x 1.2 = 5529.6 -> 5530M, for the largest task of the last run.
    expect(r!.memory.suggested).toBe(5530 * MIB);
    expect(r!.runtime.suggested).toBe(1440); // 20m x 1.2 = 24m
    // Cores: 2 x (1h - 24m). GiB-hours: 2548M x 1h - 3226M x 0.4h + 4048M x 1h - 5530M x 0.4h.
    expect(r!.saves).toEqual({ coreHours: 1.2, gbHours: 3.02 });
    expect(r!.notes).toEqual(['memory: fitted per item over 3 samples (max ratio above the declared base)']);
  });

  it('prints as the CLI JSON', () => {
    expect(rightSizeJson(rightSize([SIM]))).toEqual({
      right_size: [
        {
          node: 'sim',
          samples: 4,
          memory: {
            requested_bytes: 4294967296,
            observed_median_bytes: 1476395008,
            observed_p95_bytes: 2147483648,
            observed_max_bytes: 2147483648,
            suggested_bytes: 2577399808,
          },
          runtime: {
            requested_s: 7200,
            observed_median_s: 2550,
            observed_p95_s: 3000,
            observed_max_s: 3000,
            suggested_s: 3600,
          },
          saves: { core_hours: 40, gb_hours: 56 },
          failed: { count: 1, kinds: { oom: 1 } },
        },
      ],
    });
  });
});

describe('history for sizing', () => {
  it('the observed estimate is the largest peak and wall time, once there are enough samples', () => {
    expect(observedEstimate(SIM.succeeded)).toEqual({ memory: 2048, runtime: 3000 });
    expect(observedEstimate(SIM.succeeded.slice(0, 2))).toEqual({});
    expect(observedEstimate([{ maxRssKiB: 1025 }], 1)).toEqual({ memory: 2 });
  });

  it('median of an odd count is the middle value; p95 is the nearest rank', () => {
    expect(stats([5, 1, 3])).toEqual({ median: 3, p95: 5, max: 5 });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(stats(twenty)).toEqual({ median: 10.5, p95: 19, max: 20 });
    expect(stats([])).toEqual({ median: null, p95: null, max: null });
  });
});

describe('nodeHistories: journals folded per node', () => {
  it('successes are samples, resource failures apart, the latest run that ran a node is its last run', () => {
    const runs = [
      [
        { k: 'q', id: 'a[0]', a: 1, rq: { m: 100, rt: 60 } },
        { k: 'ok', id: 'a[0]', a: 1, w: 30_000, m: 50 * 1024 },
        { k: 'f', id: 'a[1]', a: 1, r: 'oom', m: 120 * 1024 },
        { k: 'f', id: 'a[2]', a: 1, r: 'cancelled' },
        { k: 'f', id: 'a[3]', a: 1, r: 'submit' },
        { k: 'ok', id: 'gone', a: 1, w: 1 },
      ],
      [
        { k: 'q', id: 'a[1]', a: 2, rq: { m: 200, rt: 60 } },
        { k: 'ok', id: 'a[1]', a: 2, w: 40_000, m: 110 * 1024 },
      ],
    ];
    const h = nodeHistories(
      runs,
      (id) => (id.startsWith('a[') ? 'a' : undefined),
      () => ({ cores: 2, memory: 100, runtime: 60 }),
      () => ({ memory: 10 }),
    );
    expect(h).toEqual([
      {
        node: 'a',
        succeeded: [
          { wallMs: 30_000, maxRssKiB: 50 * 1024 },
          { wallMs: 40_000, maxRssKiB: 110 * 1024 },
        ],
        failed: [{ failure: 'oom', maxRssKiB: 120 * 1024 }],
        request: { cores: 2, memory: 100, runtime: 60 },
        lastRun: [{ memory: 200, runtime: 60 }],
        headroom: { memory: 10 },
      },
    ]);
  });
});
