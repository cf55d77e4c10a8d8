/** Campaigns that each show one expansion problem, with the data files they read. */
export interface Case {
  name: string;
  toml?: string;
  yaml?: string;
  files?: Record<string, string>;
}

const head = '[campaign]\nname = "x"\n';

export const cases: Case[] = [
  {
    name: 'unsafe ids',
    toml: `${head}[campaign.run]\nforeach = "data/runs.csv"\nid = "{name}"\ncommand = "true"\n`,
    files: {
      'data/runs.csv':
        'name\nok-1\na/b\n../../etc\n-rf\n.hidden\nCON\nspace here\n"line\nbreak"\nx[1]\nok-1\n' +
        `${'y'.repeat(101)}\n`,
    },
  },
  {
    name: 'unsafe ids',
    yaml: 'campaign:\n  name: x\n  run:\n    foreach: data/runs.csv\n    id: "{name}"\n    command: "true"\n',
    files: { 'data/runs.csv': 'name\nok\na/b\nok\n' },
  },
  {
    name: 'missing attribute in a geojson feature',
    toml: `${head}[campaign.ws]\nforeach = "data/w.geojson"\nid = "{properties.HucName:slug}-{properties.Region}"\ncommand = "true"\n`,
    files: {
      'data/w.geojson': JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { HucName: 'Upper Salmon', Region: 17 }, geometry: null },
          { type: 'Feature', properties: { HucName: 'Lochsa' }, geometry: null },
          { type: 'Feature', properties: { HucName: 'Upper Salmon', Region: 17 }, geometry: null },
        ],
      }),
    },
  },
  {
    name: 'zip lists of unequal length',
    toml: `${head}[campaign.a]\nzip = { x = [1, 2, 3], y = ["a", "b"] }\ncommand = "echo {x} {y}"\n`,
    yaml: 'campaign:\n  name: x\n  a:\n    zip: { x: [1, 2, 3], y: [a, b] }\n    command: echo {x} {y}\n',
  },
  {
    name: 'unclosed brace in a command',
    toml: `${head}[campaign.a]\nmatrix = { basin = ["EP"] }\ncommand = "run --basin {basin --x"\n`,
    yaml: 'campaign:\n  name: x\n  a:\n    matrix: { basin: [EP] }\n    command: run --basin {basin --x\n',
  },
  {
    name: 'unknown placeholder',
    toml: `${head}[campaign.a]\nmatrix = { basin = ["EP"], draw = "0..2" }\ncommand = ["run", "--basin", "{basn}", "--draw={draw:03}"]\n`,
  },
  {
    name: 'a value that does not take its format',
    toml: `${head}[campaign.a]\nforeach = "data/d.csv"\nid = "d{draw:03d}"\ncommand = "true"\n`,
    files: { 'data/d.csv': 'draw\n1\ntwo\n3\n' },
  },
  {
    name: 'csv row with the wrong number of fields',
    toml: `${head}[campaign.a]\nforeach = "data/b.csv"\ncommand = "echo {basin}"\n`,
    files: { 'data/b.csv': 'basin,draw\nEP,1\nNA\nSI,3,extra\n' },
  },
  {
    name: 'invalid json lines',
    toml: `${head}[campaign.a]\nforeach = "data/items.jsonl"\ncommand = "echo {n}"\n`,
    files: { 'data/items.jsonl': '{"n": 1}\n{"n": 2,}\n\n{"n": 3}\n' },
  },
  {
    name: 'missing data file',
    toml: `${head}[campaign.a]\nforeach = { file = "data/nope.csv" }\ncommand = "echo {x}"\n`,
  },
  {
    name: 'glob that matches no file',
    toml: `${head}[campaign.a]\nforeach = "inputs/*.nc"\ncommand = "echo {path}"\n`,
  },
  {
    name: 'item value in a chunked command',
    toml: `${head}[campaign.a]\nmatrix = { basin = ["EP", "NA"], draw = "0..99" }\nchunk = 25\ncommand = "tc-risk --basin {basin} --task {index}"\n`,
  },
  {
    name: 'fan-out settings where they mean nothing',
    toml: `${head}[campaign.g]\nchunk = 4\n[campaign.g.a]\ncommand = "true"\nid = "{x}"\nskip_complete = true\n[campaign.b]\nmatrix = { x = [1] }\nskip_complete = true\ncommand = "true"\n`,
  },
  {
    name: 'bad range',
    toml: `${head}[campaign.a]\nmatrix = { draw = "10..0" }\ncommand = "true"\n`,
  },
  {
    name: 'key given twice',
    toml: `${head}[campaign.a]\nforeach = "data/b.csv"\nmatrix = { basin = ["EP"] }\ncommand = "true"\n`,
    files: { 'data/b.csv': 'basin\nNA\n' },
  },
  {
    name: 'selector problems',
    toml:
      `${head}[campaign.gen]\nmatrix = { step = [1, 2] }\ncommand = "true"\n[campaign.plain]\ncommand = "true"\n` +
      `[campaign.a]\ncommand = "true"\ndepends_on = ["gen[stp=1]", "gen[step=9]", "plain[step=1]", "gen[huc-*]"]\n`,
  },
  {
    name: 'fan-out keys against the schema',
    toml: `${head}[campaign.a]\nmatrix = { a = 3, b = [], c = "1-5" }\nforeach = { file = "x.csv", as = "1bad" }\nchunk = 0\ncommand = "true"\n`,
    yaml: 'campaign:\n  name: x\n  a:\n    matrix: { a: 3, b: [], c: 1-5 }\n    foreach: { file: x.csv, as: 1bad }\n    chunk: 0\n    command: "true"\n',
  },
  {
    name: 'too many task edges',
    toml: `${head}[campaign.a]\nmatrix = { i = "0..9999" }\ncommand = "true"\n[campaign.b]\nmatrix = { j = "0..9999" }\ncommand = "true"\ndepends_on = ["a"]\n`,
  },
  {
    name: 'unknown workflow type',
    toml: `${head}[campaign.a]\nworkflow = "splt"\n`,
  },
  {
    name: 'workflow params against their schema',
    toml: `${head}[campaign.a]\nworkflow = "split"\n[campaign.a.params]\nnobs = 10\nchunk_nobs = 0\nnsplit = 4\ncommand = 42\n`,
    yaml: 'campaign:\n  name: x\n  a:\n    workflow: split\n    params:\n      nobs: 10\n      chunk_nobs: 0\n      nsplit: 4\n      command: 42\n',
  },
  {
    name: 'data values that leave the campaign folder',
    toml: `${head}[campaign.a]\nforeach = "data/sites.csv"\nworkdir = "runs/{site}"\ncommand = "true"\noutputs = ["out/{site}.txt", "{name}/done"]\n`,
    yaml: 'campaign:\n  name: x\n  a:\n    foreach: data/sites.csv\n    workdir: runs/{site}\n    command: "true"\n    outputs: ["out/{site}.txt", "{name}/done"]\n',
    files: {
      'data/sites.csv':
        'site,name\nok,fine\n../../../../tmp/escaped-wd,/etc\n"two\nlines",C:\\Windows\nsub/dir,a/../../b\n',
    },
  },
  {
    name: 'data values in an inherited workdir',
    toml: `${head}[campaign.defaults]\nworkdir = "runs"\n[campaign.w]\nforeach = "data/w.jsonl"\nworkdir = "runs/{name}"\n[campaign.w.a]\ncommand = "true"\n[campaign.w.b]\ncommand = "true"\ndepends_on = ["a"]\n`,
    files: { 'data/w.jsonl': '{"name": "ok"}\n{"name": ".."}\n' },
  },
  {
    name: 'a nul character in a data value',
    toml:
      `${head}[campaign.a]\nforeach = "data/n.jsonl"\ncommand = "echo {name}"\nenv = { N = "{name}" }\ncheck = ["test", "{name}"]\n` +
      `[campaign.b]\nforeach = "data/n.jsonl"\ncommand = ["echo", "--name={name}"]\n`,
    files: { 'data/n.jsonl': '{"name": "fine"}\n{"name": "a\\u0000b"}\n' },
  },
  {
    name: 'command and workflow together',
    toml: `${head}[campaign.a]\ncommand = "true"\nworkflow = "split"\nparams = { nobs = 2 }\n[campaign.b]\ncommand = "true"\nparams = { x = 1 }\n`,
  },
];
