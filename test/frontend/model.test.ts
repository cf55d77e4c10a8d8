import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig, repo } from '../rig.js';

const rig = new Rig();
afterAll(() => rig.cleanup());

const TOML = dedent(`
  [campaign]
  name = "deep"

  [campaign.vars]
  root = "/data"

  [campaign.defaults]
  retries = 2
  [campaign.defaults.resources]
  memory = "1G"
  runtime = "10m"
  [campaign.defaults.env]
  LEVEL = "campaign"
  ROOT = "\${root}"

  [campaign.prep]
  command = "prep --root \${root}"

  [campaign.a]
  resources = { memory = "2G", cores = 2 }
  env = { LEVEL = "a" }
  depends_on = ["prep"]

  [campaign.a.b]
  resources = { memory = "3G" }

  [campaign.a.b.c]
  env = { LEVEL = "c" }

  [campaign.a.b.c.d]
  command = ["leaf", "one two"]
  resources.runtime = "1h"

  [campaign.a.b.c.e]
  command = "leaf e"
  depends_on = ["d"]
  retries = 0

  [campaign.a.x]
  command = "x"

  [campaign.final]
  command = "final"
  depends_on = ["a.b", "a.x"]
`);

const YAML = dedent(`
  campaign:
    name: deep
    vars:
      root: /data
    defaults:
      retries: 2
      resources: { memory: 1G, runtime: 10m }
      env:
        LEVEL: campaign
        ROOT: \${root}
    prep:
      command: prep --root \${root}
    a:
      resources: { memory: 2G, cores: 2 }
      env: { LEVEL: a }
      depends_on: [prep]
      b:
        resources: { memory: 3G }
        c:
          env: { LEVEL: c }
          d:
            command: [leaf, one two]
            resources:
              runtime: 1h
          e:
            command: leaf e
            depends_on: [d]
            retries: 0
      x:
        command: x
    final:
      command: final
      depends_on: [a.b, a.x]
`);

describe('the campaign model', () => {
  rig.write('deep.toml', TOML);
  rig.write('deep.yaml', YAML);

  it('TOML and YAML spell the same campaign: identical DAG', () => {
    const fromToml = rig.run(['graph', 'deep.toml', '--format', 'json']);
    const fromYaml = rig.run(['graph', 'deep.yaml', '--format', 'json']);
    expect(fromToml.code).toBe(0);
    expect(fromYaml.stdout).toBe(fromToml.stdout);
    expect(rig.run(['plan', 'deep.yaml']).stdout.replace('deep.yaml', 'deep.toml')).toBe(
      rig.run(['plan', 'deep.toml']).stdout,
    );
  });

  it('inherits settings along the tree, closest wins; group dependencies apply to every node inside', () => {
    const graph = JSON.parse(rig.run(['graph', 'deep.toml', '--format', 'json']).stdout);
    expect(graph.nodes).toEqual([
      {
        id: 'prep',
        group: null,
        command: 'prep --root /data',
        workflow: null,
        resources: { cores: 1, memory_mib: 1024, gpus: 0, nodes: 1, runtime_s: 600 },
      },
      {
        id: 'a.b.c.d',
        group: 'a.b.c',
        command: "leaf 'one two'",
        workflow: null,
        resources: { cores: 2, memory_mib: 3072, gpus: 0, nodes: 1, runtime_s: 3600 },
      },
      {
        id: 'a.b.c.e',
        group: 'a.b.c',
        command: 'leaf e',
        workflow: null,
        resources: { cores: 2, memory_mib: 3072, gpus: 0, nodes: 1, runtime_s: 600 },
      },
      {
        id: 'a.x',
        group: 'a',
        command: 'x',
        workflow: null,
        resources: { cores: 2, memory_mib: 2048, gpus: 0, nodes: 1, runtime_s: 600 },
      },
      {
        id: 'final',
        group: null,
        command: 'final',
        workflow: null,
        resources: { cores: 1, memory_mib: 1024, gpus: 0, nodes: 1, runtime_s: 600 },
      },
    ]);
    expect(graph.edges).toEqual([
      { from: 'prep', to: 'a.b.c.d' },
      { from: 'a.b.c.d', to: 'a.b.c.e' },
      { from: 'prep', to: 'a.b.c.e' },
      { from: 'prep', to: 'a.x' },
      { from: 'a.b.c.d', to: 'final' },
      { from: 'a.b.c.e', to: 'final' },
      { from: 'a.x', to: 'final' },
    ]);
    expect(graph.groups).toEqual([
      { id: 'a', parent: null, children: ['a.b', 'a.x'] },
      { id: 'a.b', parent: 'a', children: ['a.b.c'] },
      { id: 'a.b.c', parent: 'a.b', children: ['a.b.c.d', 'a.b.c.e'] },
    ]);
  });

  it('prints the plan: tree, resolved commands, resources, dependencies, summary', () => {
    const r = rig.run(['plan', 'deep.toml']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      dedent(`
        campaign deep
        file     ${rig.path('deep.toml')}
        runs on  local

        ├─ prep
        │    run        prep --root /data
        │    resources  1 core, 1G, 10m
        ├─ a/
        │  ├─ b/
        │  │  └─ c/
        │  │     ├─ d
        │  │     │    run        leaf 'one two'
        │  │     │    resources  2 cores, 3G, 1h
        │  │     │    after      prep
        │  │     └─ e
        │  │          run        leaf e
        │  │          resources  2 cores, 3G, 10m
        │  │          after      a.b.c.d, prep
        │  └─ x
        │       run        x
        │       resources  2 cores, 2G, 10m
        │       after      prep
        └─ final
             run        final
             resources  1 core, 1G, 10m
             after      a.b.c.d, a.b.c.e, a.x

        summary
          nodes          5 runnable, 3 groups
          edges          7
          roots          prep
          leaves         final
          critical path  prep → a.b.c.d → a.b.c.e → final (1h30m)
      `),
    );
  });

  it('applies --set before validation: values, new keys, TOML-typed values', () => {
    const r = rig.run([
      'graph',
      'deep.toml',
      '--format',
      'json',
      '--set',
      'a.b.resources.memory=8G',
      '--set',
      'vars.root=/scratch',
      '--set',
      'final.depends_on=["prep"]',
      '--set',
      'campaign.a.x.resources.cores=4',
    ]);
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout);
    const byId = Object.fromEntries(g.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId['a.b.c.d'].resources.memory_mib).toBe(8192);
    expect(byId.prep.command).toBe('prep --root /scratch');
    expect(byId['a.x'].resources.cores).toBe(4);
    expect(g.edges.filter((e: { to: string }) => e.to === 'final')).toEqual([{ from: 'prep', to: 'final' }]);
  });

  it('validate prints one OK line with counts', () => {
    const r = rig.run(['validate', 'deep.toml', 'deep.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'deep.toml: ok (5 nodes, 3 groups, 7 edges)\ndeep.yaml: ok (5 nodes, 3 groups, 7 edges)\n',
    );
  });
});

describe('graph formats', () => {
  rig.write(
    'small.toml',
    dedent(`
      [campaign]
      name = "small"
      [campaign.make]
      command = "make"
      [campaign.tests.unit]
      command = "test unit"
      depends_on = "make"
      [campaign.tests.integration]
      command = "test \\"integration\\""
      depends_on = "make"
      [campaign.ship]
      command = "ship"
      depends_on = ["tests"]
    `),
  );

  it('dot', () => {
    expect(rig.run(['graph', 'small.toml']).stdout).toBe(
      dedent(`
        digraph "small" {
          rankdir=LR;
          node [shape=box];
          "make" [label="make"];
          subgraph "cluster_tests" {
            label="tests";
            "tests.unit" [label="unit"];
            "tests.integration" [label="integration"];
          }
          "ship" [label="ship"];
          "make" -> "tests.unit";
          "make" -> "tests.integration";
          "tests.unit" -> "ship";
          "tests.integration" -> "ship";
        }
      `),
    );
  });

  it('mermaid', () => {
    expect(rig.run(['graph', 'small.toml', '--format', 'mermaid']).stdout).toBe(
      dedent(`
        flowchart LR
          n0["make"]
          subgraph g_tests["tests"]
            n1["unit"]
            n2["integration"]
          end
          n3["ship"]
          n0 --> n1
          n0 --> n2
          n1 --> n3
          n2 --> n3
      `),
    );
  });

  it('rejects an unknown format with exit 2', () => {
    const r = rig.run(['graph', 'small.toml', '--format', 'png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('campaign: --format must be one of dot, mermaid, json, not "png"\n');
  });
});

describe('the example campaigns', () => {
  it('the SO mapmaking campaign validates and plans', () => {
    const file = `${repo}/campaigns/so-mapmaking/campaign.toml`;
    const v = rig.run(['validate', file]);
    expect(v.stdout).toBe(`${file}: ok (4 nodes, 1 group, 4 edges)\n`);
    const p = rig.run(['plan', file]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('critical path  ml-mapmaking → ml-null-tests.mission-tests → report (9m)');
  });
});

describe('the command line', () => {
  it('--version and --help', () => {
    expect(rig.run(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    for (const cmd of ['validate', 'plan', 'graph']) {
      const r = rig.run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: campaign ${cmd}`);
      expect(r.stdout).toContain('Examples:');
    }
  });

  it('unknown commands and options are usage errors (exit 2)', () => {
    expect(rig.run(['frobnicate']).code).toBe(2);
    const r = rig.run(['plan', 'x.toml', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("campaign: Unknown option '--bogus'");
  });
});
