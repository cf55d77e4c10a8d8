import { existsSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';
import { runsOf } from './helpers.js';

const rig = new Rig('campaign-collect-formats-');
afterAll(() => rig.cleanup());

const collect = (dir: string, ...args: string[]) =>
  rig.run(['collect', `${dir}/campaign.toml`, 'data', ...args]);

describe('collect, format by format', () => {
  it('CSV: one header, quoted fields with newlines and commas kept whole, CRLF and a missing last newline', () => {
    const [a, b] = runsOf(rig, 'csv', 'csv', [
      'id,note\r\n1,"two\nlines, and a comma"\r\n2,plain\r\n',
      'id,note\n\n3,"say ""hi"""\n4,last',
    ]);
    const r = collect('csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `run,id,note\n${a},1,"two\nlines, and a comma"\r\n${a},2,plain\r\n${b},3,"say ""hi"""\n${b},4,last\n`,
    );
  });

  it('TSV: one header, every line tagged', () => {
    const [a, b] = runsOf(rig, 'tsv', 'tsv', ['x\ty\n1\t2\n', 'x\ty\n3\t"4\n']);
    const r = collect('tsv');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`run\tx\ty\n${a}\t1\t2\n${b}\t3\t"4\n`);
  });

  it('JSON Lines: run first, the rest of each line as written, blank lines dropped', () => {
    const [a, b] = runsOf(rig, 'jsonl', 'jsonl', ['{"x": 1.50, "y": "a"}\n\n{}\n', '{"x":2}']);
    const r = collect('jsonl');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{"run":"${a}","x": 1.50, "y": "a"}\n{"run":"${a}"}\n{"run":"${b}","x":2}\n`);
  });

  it('JSON arrays: one array of every record (an empty array adds none)', () => {
    const [a, , c] = runsOf(rig, 'json', 'json', ['[{"x":1},{"x":2}]', '[]', '[{"x":3,"z":[1]}]\n']);
    const r = collect('json', '--out', 'json/all.json');
    expect(r.code).toBe(0);
    expect(rig.read('json/all.json')).toBe(
      `[\n{"run":"${a}","x":1},\n{"run":"${a}","x":2},\n{"run":"${c}","x":3,"z":[1]}\n]\n`,
    );
  });

  it('a user command is fed the files in run order, as argv, without a shell', () => {
    const [a, b] = runsOf(rig, 'cmd', 'dat', ['one\n', 'two\n']);
    rig.write(
      'cmd/show.mjs',
      `import { readFileSync } from 'node:fs';\nprocess.stdout.write(process.env.CAMPAIGN_RUN_ID + ' ' + process.argv.slice(2).join('|').replace(/.*\\/out\\//, 'out/') + ' ' + readFileSync(process.argv.at(-1), 'utf8'));\n`,
    );
    const r = collect('cmd', '--format', 'cmd', '--', 'node', 'cmd/show.mjs', '$(touch pwned)', '*');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${a} out/data_${a}.dat one\n${b} out/data_${b}.dat two\n`);
    expect(existsSync(rig.path('pwned'))).toBe(false);
    const failing = collect('cmd', '--format', 'cmd', '--', 'node', '-e', 'process.exit(3)');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe(
      `error: \`node -e process.exit(3)\` exited with 3 on the file of run ${a} (cmd/out/data_${a}.dat) [command-failed]\n`,
    );
    const unknown = collect('cmd');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `campaign: cannot tell the format of cmd/out/data_${a}.dat from its name: give --format csv|tsv|jsonl|json, or --format cmd -- COMMAND\n`,
    );
  });

  it('headers that differ are a diagnostic naming the file, with a marker, and --out is not written', () => {
    const [a, b] = runsOf(rig, 'mismatch', 'csv', ['id,value,unit\n1,2,m\n', 'id,valeu,unit\n3,4,m\n']);
    const r = collect('mismatch', '--out', 'mismatch/all.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `mismatch/out/data_${b}.csv:1:4: error: the header differs from the first file's: column 2 is \`valeu\`, not \`value\` [header-mismatch]`,
        '  1 | id,valeu,unit',
        '    |    ^^^^^',
        `  note: mismatch/out/data_${a}.csv:1:4: the first file's header (run ${a})`,
        '    1 | id,value,unit',
        '      |    ^^^^^',
        '  help: every run must write the same columns; collect the runs that agree with --runs RUN...',
        '',
      ].join('\n'),
    );
    expect(existsSync(rig.path('mismatch/all.csv'))).toBe(false);
    // The runs that agree can still be collected.
    expect(collect('mismatch', '--runs', a!).stdout).toBe(`run,id,value,unit\n${a},1,2,m\n`);
  });

  it('a record that is not an object, or has its own `run`, is a diagnostic at its line', () => {
    const [a] = runsOf(rig, 'bad', 'jsonl', ['{"x":1}\n[1,2]\n']);
    const r = collect('bad');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `bad/out/data_${a}.jsonl:2:1: error: a record is an array, not an object [not-an-object]`,
        '  2 | [1,2]',
        '    | ^',
        '  help: collect tags each record with its run: every record must be a JSON object',
        '',
      ].join('\n'),
    );
    const [c] = runsOf(rig, 'runcol', 'csv', ['id,run\n1,2\n']);
    const col = collect('runcol');
    expect(col.code).toBe(2);
    expect(col.stderr).toBe(
      [
        `runcol/out/data_${c}.csv:1:4: error: the header already has a \`run\` column, which collect adds [run-field]`,
        '  1 | id,run',
        '    |    ^^^',
        '  help: rename the column in the program that writes the file',
        '',
      ].join('\n'),
    );
  });

  it('a run whose files are missing is an error that names it (exit 1), and nothing is written', () => {
    const [a, b] = runsOf(rig, 'missing', 'csv', ['x\n1\n', 'x\n2\n', 'x\n3\n']);
    rmSync(rig.path(`missing/out/data_${b}.csv`));
    const r = collect('missing', '--out', 'missing/all.csv');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        `error: the files of run ${b} are missing: ${b} [files-missing]`,
        `  note: ${b}: data succeeded, but out/data_${b}.csv is missing`,
        '  help: leave those runs out with --runs RUN..., or run the node again',
        '',
      ].join('\n'),
    );
    expect(existsSync(rig.path('missing/all.csv'))).toBe(false);
    expect(a).not.toBe(b);
  });

  it('outputs that do not name their run cannot be collected', () => {
    rig.write(
      'norun/campaign.toml',
      '[campaign]\nname = "norun"\n\n[campaign.data]\ncommand = "echo x > out.csv"\noutputs = ["out.csv"]\n',
    );
    const r = rig.run(['collect', 'norun/campaign.toml', 'data']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        "error: the outputs of `data` do not name their run, so each run overwrote the last one's [outputs-without-run]",
        '  help: put {run} in the file names: outputs = ["out/results_{run}.csv"], and the command writes the same path',
        '',
      ].join('\n'),
    );
    const unknown = rig.run(['collect', 'norun/campaign.toml', 'dat']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'campaign: `dat` is not a node of norun/campaign.toml that runs; did you mean `data`?\n',
    );
    const storage = rig.run(['collect', 'norun/campaign.toml', 'data', '--storage', 's3']);
    expect(storage.code).toBe(2);
    expect(storage.stderr).toBe('campaign: --storage must be one of local, not "s3"\n');
  });
});
