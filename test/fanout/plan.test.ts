import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-fanplan-');
afterAll(() => rig.cleanup());

rig.write('w.csv', 'huc,name\nh1,Upper Salmon\nh2,Lochsa\nh3,Bear\n');
rig.write(
  'campaign.toml',
  dedent(`
    [campaign]
    name = "compact"

    [campaign.ws]
    foreach = "w.csv"
    id = "{huc}"
    [campaign.ws.climate]
    command = "climate --name {name}"
    [campaign.ws.wepp]
    command = "wepp"
    depends_on = ["climate"]

    [campaign.draws]
    matrix = { basin = ["EP", "NA"], draw = "0..99" }
    id = "{basin}-{draw:03}"
    chunk = 25
    command = ["tc", "--task", "{index}"]

    [campaign.summary]
    command = "summary"
    depends_on = ["ws.wepp", "draws"]
  `),
);

describe('plan and graph show fanned-out nodes compactly', () => {
  it('plan: counts, first and last instance, chunks, pairing of dependencies, task totals', () => {
    const r = rig.run(['plan', 'campaign.toml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      dedent(`
        campaign compact
        file     ${rig.path('campaign.toml')}
        runs on  local

        ├─ ws/
        │  │  fan-out    foreach w.csv (3), id "{huc}": 3 instances, h1 … h3
        │  ├─ climate
        │  │    run        climate --name {name}
        │  │    instances  3, one per instance of group ws
        │  │    first      climate --name 'Upper Salmon'
        │  │    resources  1 core
        │  └─ wepp
        │       run        wepp
        │       instances  3, one per instance of group ws
        │       first      wepp
        │       resources  1 core
        │       after      ws.climate (one to one)
        ├─ draws
        │    run        tc --task {index}
        │    fan-out    matrix basin (2) × draw (100), id "{basin}-{draw:03}"
        │    instances  200: EP-000 … NA-099
        │    tasks      8 of 25 items: draws[chunk-0000] … draws[chunk-0007]
        │    first      tc --task 0
        │    resources  1 core
        └─ summary
             run        summary
             resources  1 core
             after      ws.wepp (all), draws (all)

        summary
          nodes          4 runnable, 1 group
          edges          3
          tasks          15
          task edges     14
          roots          ws.climate, draws
          leaves         summary
          critical path  ws.climate (0s)
      `),
    );
  });

  it('plan --all lists every instance with its command, every chunk with its items', () => {
    const r = rig.run(['plan', 'campaign.toml', '--all']);
    expect(r.stdout).toContain(
      [
        '│  │    resources  1 core',
        "│  │      ws.climate[h1]  climate --name 'Upper Salmon'",
        '│  │      ws.climate[h2]  climate --name Lochsa',
        '│  │      ws.climate[h3]  climate --name Bear',
      ].join('\n'),
    );
    expect(r.stdout).toContain(
      '│      draws[chunk-0007]  25 items: NA-075, NA-076, NA-077, NA-078, NA-079, NA-080, NA-081, NA-082, NA-083,',
    );
  });

  it('graph: one vertex per fanned-out node, labelled with its counts; --all draws every task', () => {
    const dot = rig.run(['graph', 'campaign.toml']).stdout;
    expect(dot).toBe(
      dedent(`
        digraph "compact" {
          rankdir=LR;
          node [shape=box];
          subgraph "cluster_ws" {
            label="ws";
            "ws.climate" [label="climate\\n3 instances"];
            "ws.wepp" [label="wepp\\n3 instances"];
          }
          "draws" [label="draws\\n8 tasks of 25 items"];
          "summary" [label="summary"];
          "ws.climate" -> "ws.wepp";
          "ws.wepp" -> "summary";
          "draws" -> "summary";
        }
      `),
    );
    const all = rig.run(['graph', 'campaign.toml', '--all']).stdout;
    expect(all).toContain(
      '  subgraph "cluster_ws.wepp" {\n      label="wepp (3 instances)";\n      "ws.wepp[h1]" [label="h1"];',
    );
    expect(all).toContain('  "ws.climate[h2]" -> "ws.wepp[h2]";');
    expect(all.match(/->/g)).toHaveLength(14);
  });

  it('graph --format json: counts on fanned-out nodes, pairing on their edges', () => {
    const g = JSON.parse(rig.run(['graph', 'campaign.toml', '--format', 'json']).stdout);
    expect(g.nodes.map((n: Record<string, unknown>) => [n.id, n.instances, n.tasks, n.chunk])).toEqual([
      ['ws.climate', 3, 3, undefined],
      ['ws.wepp', 3, 3, undefined],
      ['draws', 200, 8, 25],
      ['summary', undefined, undefined, undefined],
    ]);
    expect(g.edges).toEqual([
      { from: 'ws.climate', to: 'ws.wepp', pairing: { kind: 'one-to-one' } },
      { from: 'ws.wepp', to: 'summary', pairing: { kind: 'all' } },
      { from: 'draws', to: 'summary', pairing: { kind: 'all' } },
    ]);
    expect(g.tasks).toBeUndefined();
  });
});
