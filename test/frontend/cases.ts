/** Campaign files that each show one diagnostic, in both spellings where the problem exists in both. */
export interface Case {
  name: string;
  toml?: string;
  yaml?: string;
  args?: string[];
  env?: Record<string, string>;
}

export const cases: Case[] = [
  {
    name: 'instance selector in a campaign with no fan-out',
    toml: '[campaign]\nname = "x"\n[campaign.gen]\ncommand = "true"\n[campaign.b]\ncommand = "true"\ndepends_on = ["gen[step=1]", "gen[]"]\n',
  },
  {
    name: 'toml syntax error',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "echo" oops\n',
  },
  {
    name: 'yaml syntax error',
    yaml: 'campaign:\n  name: x\n  a:\n    command: "echo\n',
  },
  {
    name: 'unknown key with suggestion',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncomand = "echo hi"\n',
    yaml: 'campaign:\n  name: x\n  a:\n    comand: echo hi\n',
  },
  {
    name: 'unknown key in resources',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nresources = { cores = 2, memroy = "4G" }\n',
    yaml: 'campaign:\n  name: x\n  a:\n    command: "true"\n    resources: { cores: 2, memroy: 4G }\n',
  },
  {
    name: 'missing required key',
    toml: '[campaign]\ndescription = "no name"\n[campaign.a]\ncommand = "true"\n',
    yaml: 'campaign:\n  description: no name\n  a:\n    command: "true"\n',
  },
  {
    name: 'wrong type',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nretries = "three"\n',
    yaml: 'campaign:\n  name: x\n  a:\n    command: "true"\n    retries: three\n',
  },
  {
    name: 'wrong type in an array',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = ["echo", 42]\n',
    yaml: 'campaign:\n  name: x\n  a:\n    command: [echo, 42]\n',
  },
  {
    name: 'bad memory unit',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nresources.memory = "4 gigs"\n',
    yaml: 'campaign:\n  name: x\n  a:\n    command: "true"\n    resources:\n      memory: 4 gigs\n',
  },
  {
    name: 'bad runtime unit',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nresources = { runtime = "90 minutes" }\n',
    yaml: 'campaign:\n  name: x\n  a:\n    command: "true"\n    resources: { runtime: 90 minutes }\n',
  },
  {
    name: 'bad enum value',
    toml: '[campaign]\nname = "x"\n[campaign.scheduler]\ntype = "slrum"\n[campaign.a]\ncommand = "true"\n',
    yaml: 'campaign:\n  name: x\n  scheduler:\n    type: slrum\n  a:\n    command: "true"\n',
  },
  {
    name: 'unknown dependency',
    toml: '[campaign]\nname = "x"\n[campaign.mapmaking]\ncommand = "true"\n[campaign.null]\ncommand = "true"\ndepends_on = ["mapmakng"]\n',
    yaml: 'campaign:\n  name: x\n  mapmaking:\n    command: "true"\n  "null":\n    command: "true"\n    depends_on: [mapmakng]\n',
  },
  {
    name: 'self dependency',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\ndepends_on = "a"\n',
    yaml: 'campaign:\n  name: x\n  a:\n    command: "true"\n    depends_on: a\n',
  },
  {
    name: 'cycle',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\ndepends_on = ["c"]\n[campaign.b]\ncommand = "true"\ndepends_on = ["a"]\n[campaign.c]\ncommand = "true"\ndepends_on = ["b"]\n',
    yaml: 'campaign:\n  name: x\n  a: { command: "true", depends_on: [c] }\n  b: { command: "true", depends_on: [a] }\n  c: { command: "true", depends_on: [b] }\n',
  },
  {
    name: 'duplicate node id',
    toml: '[campaign]\nname = "x"\n[campaign.a.b]\ncommand = "true"\n[campaign."a.b"]\ncommand = "true"\n',
    yaml: 'campaign:\n  name: x\n  a:\n    b:\n      command: "true"\n  a.b:\n    command: "true"\n',
  },
  {
    name: 'request larger than the budget',
    toml: '[campaign]\nname = "x"\n[campaign.resources]\nnodes = 2\ncores_per_node = 16\nmemory_per_node = "64G"\n[campaign.big]\ncommand = "true"\nresources = { cores = 8, memory = "128G" }\n',
    yaml: 'campaign:\n  name: x\n  resources:\n    nodes: 2\n    cores_per_node: 16\n    memory_per_node: 64G\n  big:\n    command: "true"\n    resources: { cores: 8, memory: 128G }\n',
  },
  {
    name: 'undefined variable',
    toml: '[campaign]\nname = "x"\n[campaign.vars]\noutdir = "/data"\n[campaign.a]\ncommand = "mapmaker --out ${outdri}"\n',
    yaml: 'campaign:\n  name: x\n  vars:\n    outdir: /data\n  a:\n    command: mapmaker --out ${outdri}\n',
  },
  {
    name: 'unset environment variable',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nworkdir = "${env.CAMPAIGN_TEST_UNSET}/work"\n',
  },
  {
    name: 'cores and ranks together',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nresources = { cores = 4, ranks = 2, threads = 2 }\n',
  },
  {
    name: 'runnable node with subcampaigns',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\n[campaign.a.b]\ncommand = "true"\n',
  },
  {
    name: 'bad override value',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\n',
    args: ['--set', 'a.resources.memory=lots'],
  },
  {
    name: 'override without a value',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\n',
    args: ['--set', 'a.retries'],
  },
  {
    name: 'unknown top-level key',
    toml: '[campagin]\nname = "x"\n',
  },
  {
    name: 'numbers that are not finite',
    toml: '[campaign]\nname = "x"\n[campaign.vars]\nratio = nan\n[campaign.a]\ncommand = "true"\nresources = { cores = 1e400, gpus = inf }\n',
    yaml: 'campaign:\n  name: x\n  vars: { ratio: .nan }\n  a:\n    command: "true"\n    resources: { cores: .inf, gpus: -.inf }\n',
  },
  {
    name: 'numbers beyond their bounds',
    toml:
      '[campaign]\nname = "x"\nseed = 99999999999999999999\n[campaign.scheduler]\ntype = "slurm"\nsubmit_rate = 5000\n' +
      '[campaign.a]\ncommand = "true"\nretries = 1e9\nmax_parallel = 2000000\n' +
      'resources = { cores = 99999999999999999999, nodes = 1000000 }\n' +
      '[campaign.b]\nmatrix = { i = [1, 2] }\nchunk = 0\ncommand = "true"\nretries = { count = 101 }\n' +
      'resources = { ranks = 1000, threads = 1000 }\n',
    yaml:
      'campaign:\n  name: x\n  a:\n    command: "true"\n    retries: 1000000000\n' +
      '    resources: { cores: 100000000000000000000, gpus: 20000 }\n',
  },
  {
    name: 'memory and durations out of range',
    toml:
      '[campaign]\nname = "x"\n[campaign.resources]\nmemory_per_node = "0G"\n[campaign.scheduler]\ntype = "slurm"\npoll_interval = "0s"\n' +
      '[campaign.a]\ncommand = "true"\ntimeout = "0s"\nretries = { count = 1, backoff = "400d" }\n' +
      'resources = { memory = "99999999999999999999G", runtime = "0s" }\n' +
      '[campaign.b]\ncommand = "true"\nresources = { memory = "0M", runtime = "366d" }\n',
    yaml:
      'campaign:\n  name: x\n  a:\n    command: "true"\n    timeout: 0s\n' +
      '    resources: { memory: 99999999999999999999G, runtime: 0:00 }\n',
  },
  {
    name: 'memory and runtime as bare numbers',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\ntimeout = 120\nresources = { memory = 512, runtime = 90 }\n',
    yaml: 'campaign:\n  name: x\n  a:\n    command: "true"\n    timeout: 120\n    resources: { memory: 512, runtime: 90 }\n',
  },
  {
    name: 'nul characters',
    toml:
      '[campaign]\nname = "x"\n[campaign.a]\ncommand = "echo \\"hi\\" \\u0000 there"\nenv = { X = "a\\u0000" }\n' +
      'setup = ["module load \\u0000x"]\ncheck = ["test", "-f", "out\\u0000"]\n' +
      '[campaign.b]\ncommand = ["echo", "\\u0000"]\n',
    yaml:
      'campaign:\n  name: x\n  a:\n    command: "echo \\"hi\\" \\0 there"\n    env: { X: "a\\x00" }\n' +
      '    setup: ["module load \\0x"]\n    check: [test, -f, "out\\u0000"]\n',
  },
  {
    name: 'tables nested too deep',
    toml: `[campaign]\nname = "x"\n[campaign.${Array.from({ length: 1000 }, (_, i) => `t${i}`).join('.')}]\ncommand = "true"\n`,
    yaml: `campaign:\n  name: x\n${Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i + 1)}t${i}:\n`).join('')}${'  '.repeat(101)}command: "true"\n`,
  },
  {
    name: 'arrays nested too deep',
    toml: `[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nparams = { x = ${'['.repeat(1000)}${']'.repeat(1000)} }\n`,
    yaml: `campaign:\n  name: x\n  a:\n    command: "true"\n    params: ${'['.repeat(1000)}${']'.repeat(1000)}\n`,
  },
  {
    name: 'yaml alias bomb',
    yaml:
      'campaign:\n  name: x\n  a:\n    command: "true"\n    params:\n      a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n' +
      Array.from({ length: 9 }, (_, i) => {
        const [prev, cur] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
        return `      ${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
      }).join(''),
  },
  {
    name: 'override that is not a toml array',
    toml: '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\n[campaign.b]\ncommand = "true"\n',
    args: ['--set', 'b.depends_on=[a', '--set', 'b.resources={ cores = }'],
  },
];
