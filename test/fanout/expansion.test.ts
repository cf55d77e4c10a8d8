import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-expand-');
afterAll(() => rig.cleanup());

interface Expanded {
  fanouts: {
    table: string;
    source: string;
    items: number;
    ids: string;
    instances: { index: number; id: string; values: Record<string, unknown>; origin?: string }[];
    rejected: { index: number; id?: string; origin?: string; code: string; reason: string }[];
  }[];
  nodes: { node: string; instances: number; tasks: number; chunk?: number; complete: string[] }[];
}

/** Writes a campaign (and its data files) under `dir`, and expands it from the rig's folder. */
function expand(dir: string, toml: string, files: Record<string, string> = {}): Expanded {
  for (const [name, body] of Object.entries(files)) rig.write(`${dir}/${name}`, body);
  rig.write(`${dir}/campaign.toml`, `[campaign]\nname = "x"\n${dedent(toml)}`);
  const r = rig.run(['expand', `${dir}/campaign.toml`, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Expanded;
}

const idsOf = (e: Expanded, i = 0) => e.fanouts[i]!.instances.map((x) => x.id);
const valuesOf = (e: Expanded, i = 0) => e.fanouts[i]!.instances.map((x) => x.values);

describe('matrix and zip', () => {
  it('matrix: the cross product, first key outermost; ranges include both ends; ids from the values', () => {
    const e = expand(
      'matrix',
      `
      [campaign.a]
      matrix = { basin = ["EP", "NA"], draw = "0..2" }
      command = "true"
    `,
    );
    expect(e.fanouts[0]!.source).toBe('matrix basin (2) × draw (3)');
    expect(e.fanouts[0]!.ids).toBe('values');
    expect(idsOf(e)).toEqual(['EP-0', 'EP-1', 'EP-2', 'NA-0', 'NA-1', 'NA-2']);
    expect(valuesOf(e)[4]).toEqual({ basin: 'NA', draw: 1 });
  });

  it('zip: lists taken index by index; combined with a matrix, the zip is inner', () => {
    const e = expand(
      'zip',
      `
      [campaign.a]
      matrix = { band = ["f090", "f150"] }
      zip = { split = [0, 1, 2], name = ["x", "y", "z"] }
      command = "true"
    `,
    );
    expect(e.fanouts[0]!.source).toBe('matrix band (2) × zip split, name (3)');
    expect(valuesOf(e)).toEqual([
      { band: 'f090', split: 0, name: 'x' },
      { band: 'f090', split: 1, name: 'y' },
      { band: 'f090', split: 2, name: 'z' },
      { band: 'f150', split: 0, name: 'x' },
      { band: 'f150', split: 1, name: 'y' },
      { band: 'f150', split: 2, name: 'z' },
    ]);
  });

  it('id templates format values: zero padding, decimals, slugs', () => {
    const e = expand(
      'formats',
      `
      [campaign.a]
      zip = { draw = [7, 12], dt = [0.5, 0.25], site = ["Río Chama", "Bear's Fork"] }
      id = "{site:slug}_{draw:03}_{dt:.2f}_{index}"
      command = "true"
    `,
    );
    expect(idsOf(e)).toEqual(['rio-chama_007_0.50_0', 'bear-s-fork_012_0.25_1']);
    expect(e.fanouts[0]!.ids).toBe('template');
  });

  it('without an id, values that are no safe id make the ids positions', () => {
    const e = expand(
      'unsafe-values',
      `
      [campaign.a]
      matrix = { path = ["a/b", "c"] }
      command = "true"
    `,
    );
    expect(idsOf(e)).toEqual(['0', '1']);
    expect(e.fanouts[0]!.ids).toBe('index');
  });
});

describe('foreach: the items of a data file, relative to the campaign file', () => {
  it('CSV rows: values are text, the header names them; ids are positions unless `id` is given', () => {
    const e = expand(
      'csv',
      `
      [campaign.a]
      foreach = "data/basins.csv"
      command = "true"
    `,
      { 'data/basins.csv': 'basin,draw,note\nEP,0,"with, comma"\nNA,1,"two\nlines"\n\nSI,2,""\n' },
    );
    expect(idsOf(e)).toEqual(['0', '1', '2']);
    expect(valuesOf(e)).toEqual([
      { basin: 'EP', draw: '0', note: 'with, comma' },
      { basin: 'NA', draw: '1', note: 'two\nlines' },
      { basin: 'SI', draw: '2', note: '' },
    ]);
    expect(e.fanouts[0]!.instances.map((i) => i.origin)).toEqual([
      'data/basins.csv line 2',
      'data/basins.csv line 3',
      'data/basins.csv line 6',
    ]);
  });

  it('TSV rows, with `format` given', () => {
    const e = expand(
      'tsv',
      `
      [campaign.a]
      foreach = { file = "data/runs.txt", format = "tsv" }
      id = "{run}"
      command = "true"
    `,
      { 'data/runs.txt': 'run\tsize\nr1\t10\nr2\t20\n' },
    );
    expect(valuesOf(e)).toEqual([
      { run: 'r1', size: '10' },
      { run: 'r2', size: '20' },
    ]);
  });

  it('a JSON array (scalars become `value`) and JSON Lines', () => {
    const arr = expand(
      'json',
      `
      [campaign.a]
      foreach = "data/items.json"
      command = "true"
    `,
      { 'data/items.json': '[{"x": 1, "tags": ["a", "b"]}, 5]' },
    );
    expect(valuesOf(arr)).toEqual([{ x: 1, tags: ['a', 'b'] }, { value: 5 }]);
    const lines = expand(
      'jsonl',
      `
      [campaign.a]
      foreach = "data/items.jsonl"
      id = "n{n:02}"
      command = "true"
    `,
      { 'data/items.jsonl': '{"n": 1}\n\n{"n": 2}\n' },
    );
    expect(idsOf(lines)).toEqual(['n01', 'n02']);
    expect(lines.fanouts[0]!.instances.map((i) => i.origin)).toEqual([
      'data/items.jsonl line 1',
      'data/items.jsonl line 3',
    ]);
  });

  it('GeoJSON features: properties, id, geometry type and bounding box', () => {
    const e = expand(
      'geojson',
      `
      [campaign.ws]
      foreach = "data/w.geojson"
      id = "{properties.HucName:slug}-{properties.Region}"
      command = "true"
    `,
      {
        'data/w.geojson': JSON.stringify({
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              id: 'f1',
              properties: { HucName: 'Upper Salmon', Region: 17 },
              geometry: {
                type: 'Polygon',
                coordinates: [
                  [
                    [-114.9, 44.1],
                    [-114.6, 44.3],
                    [-114.7, 44.0],
                  ],
                ],
              },
            },
            { type: 'Feature', properties: { HucName: 'Lochsa', Region: 17 }, geometry: null },
          ],
        }),
      },
    );
    expect(idsOf(e)).toEqual(['upper-salmon-17', 'lochsa-17']);
    expect(valuesOf(e)).toEqual([
      {
        id: 'f1',
        properties: { HucName: 'Upper Salmon', Region: 17 },
        geometry: { type: 'Polygon' },
        bbox: [-114.9, 44, -114.6, 44.3],
      },
      { id: null, properties: { HucName: 'Lochsa', Region: 17 }, geometry: { type: null }, bbox: null },
    ]);
  });

  it('lines of a text file, named with `as`', () => {
    const e = expand(
      'lines',
      `
      [campaign.a]
      foreach = { file = "data/obs.lst", as = "obs" }
      id = "{obs.line}"
      command = "true"
    `,
      { 'data/obs.lst': 'obs001\n\nobs002\r\n' },
    );
    expect(valuesOf(e)).toEqual([{ obs: { line: 'obs001' } }, { obs: { line: 'obs002' } }]);
  });

  it('the files matching a glob, sorted', () => {
    const e = expand(
      'glob',
      `
      [campaign.a]
      foreach = "inputs/**/*.nc"
      id = "{stem}"
      command = "true"
    `,
      { 'inputs/b.nc': '', 'inputs/a.nc': '', 'inputs/deep/c.nc': '', 'inputs/skip.txt': '' },
    );
    expect(valuesOf(e)).toEqual([
      { path: 'inputs/a.nc', name: 'a.nc', stem: 'a', dir: 'inputs' },
      { path: 'inputs/b.nc', name: 'b.nc', stem: 'b', dir: 'inputs' },
      { path: 'inputs/deep/c.nc', name: 'c.nc', stem: 'c', dir: 'inputs/deep' },
    ]);
  });

  it('foreach combines with a matrix: every item with every value', () => {
    const e = expand(
      'foreach-matrix',
      `
      [campaign.a]
      foreach = "data/basins.csv"
      matrix = { draw = "0..1" }
      id = "{basin}-{draw}"
      command = "true"
    `,
      { 'data/basins.csv': 'basin\nEP\nNA\n' },
    );
    expect(idsOf(e)).toEqual(['EP-0', 'EP-1', 'NA-0', 'NA-1']);
  });
});

describe('campaign expand', () => {
  it('lists instances, rejected items with reasons, and counts; exit 2 when an item is rejected', () => {
    rig.write('report/data/runs.csv', 'name,size\nalpha,1\nbe ta,2\nalpha,3\ngamma,4\n');
    rig.write(
      'report/campaign.toml',
      dedent(`
        [campaign]
        name = "report"
        [campaign.a]
        foreach = "data/runs.csv"
        id = "{name}"
        command = "true"
      `),
    );
    const r = rig.run(['expand', 'report/campaign.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      dedent(`
        a: foreach data/runs.csv (4), id "{name}"
          0  alpha     name=alpha size=1
          1  rejected  (data/runs.csv line 3) has the id \`be ta\`, which contains a space; ids may hold letters, digits, \`_\`, \`-\`, \`.\`, \`+\` and \`@\`
          2  rejected  (data/runs.csv line 4) has the id \`alpha\`, which is also the id of item 0
          3  gamma     name=gamma size=4
          4 items: 2 instances, 2 rejected

        1 fan-out: 2 instances, 2 rejected
      `),
    );
    expect(r.stderr).toContain('[unsafe-id]');
    expect(r.stderr).toContain('[duplicate-instance]');
  });

  it('NODE limits it to one fan-out', () => {
    rig.write(
      'two/campaign.toml',
      dedent(`
        [campaign]
        name = "two"
        [campaign.a]
        matrix = { x = [1, 2] }
        command = "true"
        [campaign.g]
        matrix = { y = ["p", "q"] }
        [campaign.g.b]
        command = "true"
      `),
    );
    const r = rig.run(['expand', 'two/campaign.toml', 'g.b']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      dedent(`
        g: matrix y (2)
          0  p         y=p
          1  q         y=q
          2 items: 2 instances
          g.b: 2 tasks

        1 fan-out: 2 instances; 2 tasks
      `),
    );
    expect(rig.run(['expand', 'two/campaign.toml', 'nope']).stderr).toBe(
      "campaign: no fan-out matches 'nope'\n",
    );
  });
});

describe('expand --format csv', () => {
  it('one row per task and item; values with a comma, a quote or a line break are quoted', () => {
    rig.write('csv/sites.csv', 'site,label\nab,"Lake, North"\ncd,"say ""hi"""\nef,plain\n');
    rig.write(
      'csv/campaign.toml',
      dedent(`
      [campaign]
      name = "x"
      [campaign.a]
      foreach = "sites.csv"
      id = "{site}"
      chunk = 2
      command = "true"
      [campaign.b]
      matrix = { n = [1, 2] }
      command = "true"
    `),
    );
    const r = rig.run(['expand', 'csv/campaign.toml', '--format', 'csv']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'task_id,task_index,item,site,label,n\n' +
        'a[chunk-0000],0,ab,ab,"Lake, North",\n' +
        'a[chunk-0000],0,cd,cd,"say ""hi""",\n' +
        'a[chunk-0001],1,ef,ef,plain,\n' +
        'b[1],0,1,,,1\n' +
        'b[2],1,2,,,2\n',
    );
  });
});
