import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-deps-');
afterAll(() => rig.cleanup());

interface Graph {
  edges: { from: string; to: string; pairing?: unknown }[];
  tasks: { id: string; node: string; instance?: string; index?: number; items?: string[] }[];
  task_edges: { from: string; to: string }[];
}

let n = 0;
/** The task graph of a campaign, through `graph --format json --all`. */
function graph(toml: string, files: Record<string, string> = {}): Graph {
  const dir = `c${n++}`;
  for (const [name, body] of Object.entries(files)) rig.write(`${dir}/${name}`, body);
  rig.write(`${dir}/campaign.toml`, `[campaign]\nname = "deps"\n${dedent(toml)}`);
  const r = rig.run(['graph', `${dir}/campaign.toml`, '--format', 'json', '--all']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Graph;
}

/** Task edges as `from -> to`, sorted, optionally only those into a node. */
const edges = (g: Graph, into?: string) =>
  g.task_edges
    .filter((e) => into === undefined || e.to.startsWith(`${into}[`) || e.to === into)
    .map((e) => `${e.from} -> ${e.to}`)
    .sort();

describe('dependencies between fanned-out nodes', () => {
  it('the same keys on both sides: instance i waits for instance i (aftercorr)', () => {
    const g = graph(`
      [campaign.gen]
      matrix = { basin = ["EP", "NA"], draw = "0..1" }
      command = "true"
      [campaign.post]
      matrix = { basin = ["EP", "NA"], draw = "0..1" }
      id = "{basin}{draw}"
      command = "true"
      depends_on = ["gen"]
    `);
    expect(edges(g)).toEqual([
      'gen[EP-0] -> post[EP0]',
      'gen[EP-1] -> post[EP1]',
      'gen[NA-0] -> post[NA0]',
      'gen[NA-1] -> post[NA1]',
    ]);
    expect(g.edges).toEqual([{ from: 'gen', to: 'post', pairing: { kind: 'one-to-one' } }]);
  });

  it('pairs instances by value, whatever their order', () => {
    const g = graph(`
      [campaign.gen]
      matrix = { x = [1, 2, 3] }
      command = "true"
      [campaign.post]
      matrix = { x = [3, 1, 2] }
      command = "true"
      depends_on = ["gen"]
    `);
    expect(edges(g)).toEqual(['gen[1] -> post[1]', 'gen[2] -> post[2]', 'gen[3] -> post[3]']);
  });

  it('matching on shared keys: histogram[step=k] waits for every generate with step k', () => {
    const g = graph(`
      [campaign.generate]
      matrix = { step = [1, 2], batch = "0..2" }
      command = "true"
      [campaign.histogram]
      matrix = { step = [1, 2] }
      command = "true"
      depends_on = ["generate"]
    `);
    expect(edges(g)).toEqual([
      'generate[1-0] -> histogram[1]',
      'generate[1-1] -> histogram[1]',
      'generate[1-2] -> histogram[1]',
      'generate[2-0] -> histogram[2]',
      'generate[2-1] -> histogram[2]',
      'generate[2-2] -> histogram[2]',
    ]);
    expect(g.edges[0]!.pairing).toEqual({ kind: 'shared', keys: ['step'] });
  });

  it('a funnel: gen[*], or no shared keys, or a node without fan-out after a fanned-out one', () => {
    const g = graph(`
      [campaign.gen]
      matrix = { a = [1, 2] }
      command = "true"
      [campaign.other]
      matrix = { b = ["x", "y"] }
      command = "true"
      depends_on = ["gen"]
      [campaign.star]
      matrix = { a = [1, 2] }
      command = "true"
      depends_on = ["gen[*]"]
      [campaign.sum]
      command = "true"
      depends_on = ["gen"]
    `);
    expect(edges(g, 'other')).toEqual([
      'gen[1] -> other[x]',
      'gen[1] -> other[y]',
      'gen[2] -> other[x]',
      'gen[2] -> other[y]',
    ]);
    expect(edges(g, 'star')).toEqual([
      'gen[1] -> star[1]',
      'gen[1] -> star[2]',
      'gen[2] -> star[1]',
      'gen[2] -> star[2]',
    ]);
    expect(edges(g, 'sum')).toEqual(['gen[1] -> sum', 'gen[2] -> sum']);
    expect(g.edges.map((e) => e.pairing)).toEqual([
      { kind: 'all' },
      { kind: 'selector', text: '*' },
      { kind: 'all' },
    ]);
  });

  it('a node without fan-out before a fanned-out one: every instance waits for it', () => {
    const g = graph(`
      [campaign.prep]
      command = "true"
      [campaign.gen]
      matrix = { a = [1, 2, 3] }
      command = "true"
      depends_on = ["prep"]
    `);
    expect(edges(g)).toEqual(['prep -> gen[1]', 'prep -> gen[2]', 'prep -> gen[3]']);
  });

  it('selection by value and by instance id; several selectors on one node each count', () => {
    const g = graph(`
      [campaign.gen]
      matrix = { step = [1, 2, 3], batch = ["a", "b"] }
      command = "true"
      [campaign.third]
      command = "true"
      depends_on = ["gen[step=3]"]
      [campaign.some]
      command = "true"
      depends_on = ["gen[1-*]", "gen[step=2,batch=b]"]
    `);
    expect(edges(g, 'third')).toEqual(['gen[3-a] -> third', 'gen[3-b] -> third']);
    expect(edges(g, 'some')).toEqual(['gen[1-a] -> some', 'gen[1-b] -> some', 'gen[2-b] -> some']);
  });

  it('a fanned-out group: the whole chain per instance, and a funnel after the group', () => {
    const g = graph(
      `
      [campaign.base]
      command = "true"
      [campaign.ws]
      foreach = "w.csv"
      id = "{huc}"
      depends_on = ["base"]
      [campaign.ws.delineation]
      command = "true"
      [campaign.ws.landuse]
      command = "true"
      depends_on = ["delineation"]
      [campaign.ws.wepp]
      command = "true"
      depends_on = ["landuse"]
      [campaign.manifest]
      command = "true"
      depends_on = ["ws.wepp"]
    `,
      { 'w.csv': 'huc\nh1\nh2\n' },
    );
    expect(edges(g)).toEqual([
      'base -> ws.delineation[h1]',
      'base -> ws.delineation[h2]',
      'base -> ws.landuse[h1]',
      'base -> ws.landuse[h2]',
      'base -> ws.wepp[h1]',
      'base -> ws.wepp[h2]',
      'ws.delineation[h1] -> ws.landuse[h1]',
      'ws.delineation[h2] -> ws.landuse[h2]',
      'ws.landuse[h1] -> ws.wepp[h1]',
      'ws.landuse[h2] -> ws.wepp[h2]',
      'ws.wepp[h1] -> manifest',
      'ws.wepp[h2] -> manifest',
    ]);
  });

  it('a fanned-out node inside a fanned-out group runs for every pair; it pairs with the group by prefix', () => {
    const g = graph(`
      [campaign.g]
      matrix = { site = ["a", "b"] }
      [campaign.g.prep]
      command = "true"
      [campaign.g.sim]
      matrix = { seed = [1, 2] }
      command = "true"
      depends_on = ["prep"]
    `);
    expect(g.tasks.filter((t) => t.node === 'g.sim').map((t) => t.id)).toEqual([
      'g.sim[a.1]',
      'g.sim[a.2]',
      'g.sim[b.1]',
      'g.sim[b.2]',
    ]);
    expect(edges(g)).toEqual([
      'g.prep[a] -> g.sim[a.1]',
      'g.prep[a] -> g.sim[a.2]',
      'g.prep[b] -> g.sim[b.1]',
      'g.prep[b] -> g.sim[b.2]',
    ]);
  });

  it('chunks: an item waits for the chunk that holds it', () => {
    const g = graph(`
      [campaign.gen]
      matrix = { i = "0..9" }
      chunk = 4
      command = "true"
      [campaign.agg]
      matrix = { i = "0..9" }
      command = "true"
      depends_on = ["gen"]
    `);
    expect(g.tasks.filter((t) => t.node === 'gen').map((t) => [t.id, t.items])).toEqual([
      ['gen[chunk-0000]', ['0', '1', '2', '3']],
      ['gen[chunk-0001]', ['4', '5', '6']],
      ['gen[chunk-0002]', ['7', '8', '9']],
    ]);
    expect(edges(g)).toEqual([
      'gen[chunk-0000] -> agg[0]',
      'gen[chunk-0000] -> agg[1]',
      'gen[chunk-0000] -> agg[2]',
      'gen[chunk-0000] -> agg[3]',
      'gen[chunk-0001] -> agg[4]',
      'gen[chunk-0001] -> agg[5]',
      'gen[chunk-0001] -> agg[6]',
      'gen[chunk-0002] -> agg[7]',
      'gen[chunk-0002] -> agg[8]',
      'gen[chunk-0002] -> agg[9]',
    ]);
  });

  it('a chunk waits for every chunk or instance its items need, once each', () => {
    const g = graph(`
      [campaign.prep]
      matrix = { basin = ["EP", "NA"] }
      command = "true"
      [campaign.run]
      matrix = { basin = ["EP", "NA"], draw = "0..4" }
      chunk = 4
      command = "true"
      depends_on = ["prep"]
    `);
    // 10 items in 3 chunks of 4, 3, 3: the middle one holds EP-4, NA-0 and NA-1.
    expect(g.tasks.find((t) => t.id === 'run[chunk-0001]')!.items).toEqual(['EP-4', 'NA-0', 'NA-1']);
    expect(edges(g)).toEqual([
      'prep[EP] -> run[chunk-0000]',
      'prep[EP] -> run[chunk-0001]',
      'prep[NA] -> run[chunk-0001]',
      'prep[NA] -> run[chunk-0002]',
    ]);
  });
});

describe('TOML and YAML', () => {
  it('spell the same fan-out: identical task graph', () => {
    rig.write('both/w.csv', 'huc\nh1\nh2\n');
    rig.write(
      'both/campaign.toml',
      dedent(`
        [campaign]
        name = "both"
        [campaign.ws]
        foreach = "w.csv"
        id = "w-{huc}"
        [campaign.ws.a]
        command = ["run", "{huc}"]
        [campaign.ws.b]
        command = "post {huc}"
        depends_on = ["a"]
        [campaign.gen]
        matrix = { step = [1, 2], batch = "0..1" }
        chunk = 3
        command = "gen {index}"
        [campaign.hist]
        matrix = { step = [1, 2] }
        command = "hist {step}"
        depends_on = ["gen", "ws.b[w-h2]"]
      `),
    );
    rig.write(
      'both/campaign.yaml',
      dedent(`
        campaign:
          name: both
          ws:
            foreach: w.csv
            id: "w-{huc}"
            a:
              command: [run, "{huc}"]
            b:
              command: post {huc}
              depends_on: [a]
          gen:
            matrix: { step: [1, 2], batch: "0..1" }
            chunk: 3
            command: gen {index}
          hist:
            matrix: { step: [1, 2] }
            command: hist {step}
            depends_on: [gen, "ws.b[w-h2]"]
      `),
    );
    const toml = rig.run(['graph', 'both/campaign.toml', '--format', 'json', '--all']);
    const yaml = rig.run(['graph', 'both/campaign.yaml', '--format', 'json', '--all']);
    expect(toml.code).toBe(0);
    expect(yaml.stdout).toBe(toml.stdout);
    // a → b per watershed (2), a chunk per step → hist (2), ws.b[w-h2] → each hist (2).
    expect(JSON.parse(toml.stdout).task_edges).toHaveLength(6);
  });
});
