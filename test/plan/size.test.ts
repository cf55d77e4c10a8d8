import { describe, expect, it } from 'vitest';
import { size, withHeadroom } from '../../src/plan/size.js';
import { parseHeadroom, parseScaling } from '../../src/plan/size-values.js';

const declared = { cores: 4, gpus: 1, nodes: 1, memory: 1000, runtime: 600 };

describe('size', () => {
  it('applies the headroom once to the declared values; cores, GPUs and nodes pass through', () => {
    expect(size({ declared, headroom: { memory: 30, runtime: 50 } })).toEqual({
      cores: 4,
      gpus: 1,
      nodes: 1,
      memory: { estimate: 1000, headroom: 30, request: 1300, source: 'declared' },
      runtime: { estimate: 600, headroom: 50, request: 900, source: 'declared' },
    });
  });

  it('takes each resource from the first source that has it: history, workflow, scaling, declared', () => {
    const scaling = {
      memory: { base: 2048, perItem: 50, perInputGiB: 0 },
      runtime: { base: 300, perItem: 0, perInputGiB: 600 },
    };
    const all = size({
      declared,
      scaling,
      workflow: { memory: 3000, runtime: 1200 },
      history: { memory: 2500 },
      items: 10,
      inputBytes: 3 * 1024 ** 3,
    });
    expect(all.memory).toMatchObject({ estimate: 2500, source: 'history' });
    expect(all.runtime).toMatchObject({ estimate: 1200, source: 'workflow' });
    const scaled = size({
      declared,
      scaling,
      items: 10,
      inputBytes: 3 * 1024 ** 3,
      headroom: { memory: 10 },
    });
    // 2G + 10 x 50M = 2548M, +10% = 2802.8 -> 2803M; 5m + 3 GiB x 10m = 35m.
    expect(scaled.memory).toEqual({ estimate: 2548, headroom: 10, request: 2803, source: 'scaling' });
    expect(scaled.runtime).toEqual({ estimate: 2100, headroom: 0, request: 2100, source: 'scaling' });
  });

  it('leaves out what nothing estimates', () => {
    expect(size({ declared: { cores: 1, gpus: 0, nodes: 1 } })).toEqual({ cores: 1, gpus: 0, nodes: 1 });
  });

  it('rounds up once, without float noise', () => {
    expect(withHeadroom(100, 30)).toBe(130);
    expect(withHeadroom(7, 10)).toBe(8);
    expect(withHeadroom(0, 1000)).toBe(0);
  });
});

describe('parseHeadroom', () => {
  const at = ['campaign', 'sim', 'headroom'];

  it('reads percentages from 0% to 1000%', () => {
    expect(parseHeadroom({ memory: '30%', runtime: '50 %' }, at)).toEqual({
      ok: true,
      value: { memory: 30, runtime: 50 },
    });
    expect(parseHeadroom({ runtime: '1000%' }, at)).toEqual({
      ok: true,
      value: { memory: 0, runtime: 1000 },
    });
  });

  it('reports each bad key and value at its path', () => {
    const r = parseHeadroom({ memroy: '30%', runtime: '1001%' }, at);
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          severity: 'error',
          code: 'unknown-key',
          message: 'unknown key `memroy` in headroom',
          where: { path: [...at, 'memroy'], part: 'key' },
          suggestion: 'did you mean `memory`?',
        },
        {
          severity: 'error',
          code: 'bad-headroom',
          message: 'headroom `runtime` must be a percentage from "0%" to "1000%", not "1001%"',
          where: { path: [...at, 'runtime'], part: 'value' },
        },
      ],
    });
    const n = parseHeadroom({ memory: 30 }, at);
    expect(n.ok ? undefined : n.errors[0]).toMatchObject({
      suggestion: 'write "30%"',
      where: { path: [...at, 'memory'] },
    });
    expect(parseHeadroom({ memory: '-5%' }, at).ok).toBe(false);
    expect(parseHeadroom('30%', at)).toMatchObject({
      ok: false,
      errors: [{ where: { path: at, part: 'value' } }],
    });
  });
});

describe('parseScaling', () => {
  const at = ['campaign', 'sim', 'resources', 'memory'];

  it('reads base, per_item and per_input_gib with units', () => {
    expect(parseScaling({ base: '2G', per_item: '50M' }, 'memory', at)).toEqual({
      ok: true,
      value: { base: 2048, perItem: 50, perInputGiB: 0 },
    });
    expect(parseScaling({ base: '5m', per_input_gib: '10m' }, 'runtime', at)).toEqual({
      ok: true,
      value: { base: 300, perItem: 0, perInputGiB: 600 },
    });
  });

  it('allows no other key, and wants units', () => {
    const r = parseScaling({ base: '2G', per_items: '50M', per_input_gib: 50 }, 'memory', at);
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.message, e.where?.path, e.suggestion])).toEqual([
      [
        'unknown-key',
        'unknown key `per_items` in the scaling of memory',
        [...at, 'per_items'],
        'did you mean `per_item`?',
      ],
      [
        'bad-scaling',
        '`per_input_gib` must be a memory size with a unit ("50M"), not 50',
        [...at, 'per_input_gib'],
        undefined,
      ],
    ]);
    expect(parseScaling({}, 'runtime', at)).toMatchObject({
      ok: false,
      errors: [{ message: 'a scaling of runtime needs base, per_item or per_input_gib' }],
    });
    expect(parseScaling({ base: '90' }, 'runtime', at)).toMatchObject({
      ok: false,
      errors: [{ message: '`base` must be a duration with a unit ("10m"), not "90"' }],
    });
  });
});
