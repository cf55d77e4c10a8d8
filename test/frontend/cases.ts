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
];
