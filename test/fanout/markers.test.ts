import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

/** `markers`: READY and DONE files the campaign writes once a task succeeded. */
const rig = new Rig('campaign-markers-');
afterAll(() => rig.cleanup());

let n = 0;
function write(toml: string, files: Record<string, string> = {}): string {
  const dir = `c${n++}`;
  for (const [name, body] of Object.entries(files)) rig.write(`${dir}/${name}`, body);
  rig.write(`${dir}/campaign.toml`, `[campaign]\nname = "mk"\nseed = 7\n${dedent(toml)}`);
  return dir;
}
const json = (path: string) => JSON.parse(readFileSync(rig.path(path), 'utf8'));

describe('markers', () => {
  it('a plain node, a chunked fan-out (a READY per item) and a DONE record of what a task waited for', () => {
    const dir = write(`
      [campaign.prep]
      command = "mkdir -p out && touch out/prep"
      outputs = ["out/prep"]
      markers = { ready = "out/prep.READY" }
      [campaign.gen]
      matrix = { i = "0..4" }
      chunk = 2
      command = "true"
      depends_on = ["prep"]
      markers = { ready = "out/gen-{i}.READY" }
      [campaign.sum]
      command = "true"
      depends_on = ["gen"]
      markers = { done = "out/DONE.json" }
    `);
    const r = rig.run(['run', `${dir}/campaign.toml`, '--ui', 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const prep = json(`${dir}/out/prep.READY`);
    expect(prep).toMatchObject({ task: 'prep', attempt: 1 });
    expect(prep.seed).toBeUndefined();
    for (let i = 0; i < 5; i++) {
      const chunk = i < 2 ? 0 : i < 4 ? 1 : 2;
      expect(json(`${dir}/out/gen-${i}.READY`)).toMatchObject({
        task: `gen[chunk-000${chunk}]`,
        instance: String(i),
        run: prep.run,
      });
    }
    const done = json(`${dir}/out/DONE.json`);
    expect(done).toMatchObject({ task: 'sum', node: 'sum', run: prep.run });
    expect(done.tasks.map((t: { id: string }) => t.id)).toEqual([
      'gen[chunk-0000]',
      'gen[chunk-0001]',
      'gen[chunk-0002]',
      'sum',
    ]);
  });

  it('a task that fails gets no marker', () => {
    const dir = write(`
      [campaign.bad]
      matrix = { i = [1, 2] }
      command = "test {i} = 1"
      markers = { ready = "out/{i}.READY" }
    `);
    const r = rig.run(['run', `${dir}/campaign.toml`, '--ui', 'plain']);
    expect(r.code).toBe(1);
    expect(existsSync(rig.path(`${dir}/out/1.READY`))).toBe(true);
    expect(existsSync(rig.path(`${dir}/out/2.READY`))).toBe(false);
  });

  it('a value that would lead a marker out of the campaign folder is an error, as in outputs', () => {
    const dir = write(
      `
      [campaign.gen]
      foreach = "data/s.csv"
      command = "true"
      markers = { ready = "out/{site}/READY" }
    `,
      { 'data/s.csv': 'site\nok\n../../escape\n' },
    );
    const r = rig.run(['validate', `${dir}/campaign.toml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error: item 1 (data/s.csv line 3): `{site}` in `markers.ready` is `../../escape`, which has a `..` segment and would lead out of the campaign folder [unsafe-path]',
    );
  });

  it('an unknown key in markers is a schema error', () => {
    const dir = write(`
      [campaign.gen]
      command = "true"
      markers = { redy = "READY" }
    `);
    const r = rig.run(['validate', `${dir}/campaign.toml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('redy');
  });
});
