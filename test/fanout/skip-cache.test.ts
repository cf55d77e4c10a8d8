import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-skip-cache-');
afterAll(() => rig.cleanup());

rig.write(
  'campaign.toml',
  dedent(`
    [campaign]
    name = "skip"
    [campaign.a]
    matrix = { n = "0..2" }
    skip_complete = true
    command = "echo ok > out/{n}.txt"
    outputs = ["out/{n}.txt"]
    # Counts its runs, one line per item checked.
    check = ["sh", "-c", "echo {n} >> checks.log; grep -q ok out/{n}.txt"]
  `),
);

/** The items checked so far, in order of their checks' ends. */
const checked = (): string[] => {
  try {
    return readFileSync(rig.path('checks.log'), 'utf8').split('\n').filter(Boolean).sort();
  } catch {
    return [];
  }
};

/** The ids `expand` lists as left out by skip_complete. */
const complete = (): string[] => {
  const r = rig.run(['expand', 'campaign.toml', '--format', 'json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).nodes[0].complete;
};

describe('skip_complete checks run once per unchanged output', () => {
  beforeEach(() => {
    rig.write('out/0.txt', 'ok\n');
    rig.write('out/1.txt', 'ok\n');
    rig.write('out/2.txt', 'corrupt\n');
    rig.write('checks.log', '');
    rig.write('.campaign/.checks.json', '');
  });

  it('a second expand does not check again, and a changed output is checked again', () => {
    expect(complete()).toEqual(['0', '1']);
    expect(checked()).toEqual(['0', '1', '2']);
    expect(complete()).toEqual(['0', '1']);
    expect(checked()).toEqual(['0', '1', '2']);

    writeFileSync(rig.path('out/2.txt'), 'ok\n');
    expect(complete()).toEqual(['0', '1', '2']);
    expect(checked()).toEqual(['0', '1', '2', '2']);

    // The same size and content, but touched: a new modification time is a changed output.
    utimesSync(rig.path('out/0.txt'), new Date(), new Date(Date.now() + 5_000));
    expect(complete()).toEqual(['0', '1', '2']);
    expect(checked()).toEqual(['0', '0', '1', '2', '2']);
  });

  it('validate, plan and graph run no check', () => {
    for (const cmd of ['validate', 'plan', 'graph']) expect(rig.run([cmd, 'campaign.toml']).code).toBe(0);
    expect(checked()).toEqual([]);
  });

  it('without checks, an output whose last check failed is not complete, an unchecked one is', () => {
    expect(complete()).toEqual(['0', '1']);
    const plan = rig.run(['plan', 'campaign.toml', '--all']);
    expect(plan.stdout).toContain('a[2]  echo ok > out/2.txt');
    expect(plan.stdout).not.toContain('a[0]');
    rig.write('out/1.txt', 'ok, rewritten\n');
    expect(rig.run(['plan', 'campaign.toml', '--all']).stdout).not.toContain('a[1]');
    expect(checked()).toEqual(['0', '1', '2']);
  });

  it('a corrupt cache is ignored and rewritten', () => {
    rig.write('.campaign/.checks.json', '{"version": 1, "nodes": {"a": [');
    expect(complete()).toEqual(['0', '1']);
    expect(checked()).toEqual(['0', '1', '2']);
    expect(JSON.parse(rig.read('.campaign/.checks.json')).version).toBe(1);
  });
});
