import { spawnSync } from 'node:child_process';
import { bin, type Result, type Rig } from '../rig.js';

/** Runs `campaign ARGS` in the rig with the real binary. */
export function campaign(rig: Rig, args: string[], opts: { env?: Record<string, string> } = {}): Result {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: rig.dir,
    env,
    encoding: 'utf8',
    timeout: 300_000,
    // The trace of 10,000 attempts is a few MB.
    maxBuffer: 1 << 28,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** The text of a fragment of HTML: tags dropped, entities decoded, white space collapsed. */
export function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITY[e]!)
    .replace(/\s+/g, ' ')
    .trim();
}

/** The rows of the table with this id, each a list of cell texts (header row first). */
export function tableRows(html: string, id: string): string[][] {
  const m = new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  if (!m) throw new Error(`no table #${id}`);
  return [...m[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!)),
  );
}

/** Rows as lines of cells joined by ` | `, for readable exact comparisons. */
export function tableText(html: string, id: string, mask: (s: string) => string = (s) => s): string[] {
  return tableRows(html, id).map((r) => mask(r.join(' | ')));
}

/** Masks run ids, times and measured amounts, which vary from run to run. */
export function maskMeasured(s: string): string {
  return s
    .replace(/\d{8}_\d{6}_run(\d+)/g, 'RUN$1')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
    .replace(/\d+(\.\d+)? (s|B|KiB|MiB|GiB)\b/g, 'N $2')
    .replace(/\d+\.\d+ \(\d+%\)/g, 'N (P%)')
    .replace(/\(<?\d+%\)/g, '(P%)');
}

/**
 * The campaign of the report tests: a task that uses 50 MiB, a fan-out in a group, a task
 * that fails once and then succeeds on its retry, one that fails (its stderr holds markup)
 * until the file `fixed` exists, one that times out, and one that waits for the failing one.
 */
export function campaignFile(task: string): string {
  return `[campaign]
name = "rep"
[campaign.defaults.resources]
memory = "200M"
runtime = "1m"
[campaign.prep]
command = "${task} prep mem=50"
[campaign.sims]
description = "a group"
[campaign.sims.gen]
matrix = { i = [0, 1, 2] }
command = "${task} gen-{i} sleep=0.2"
depends_on = ["prep"]
[campaign.flaky]
command = "${task} flaky failfirst=1"
retries = { count = 2, backoff = "0s" }
[campaign.bad]
command = "${task} bad; echo '<script>alert(1)</script> & more' >&2; test -e fixed || exit 3"
[campaign.slow]
command = "${task} slow sleep=5"
timeout = "1s"
resources = { memory = "1G", cores = 2 }
[campaign.post]
command = "${task} post"
depends_on = ["sims", "bad"]
`;
}

/** Two runs: the first with failures, the second with `bad` fixed and everything forced. */
export function twoRuns(rig: Rig, task: string): void {
  rig.write('c.toml', campaignFile(task));
  const first = rig.run(['run', 'c.toml', '--cores', '2', '--ui', 'plain']);
  if (first.code !== 1) throw new Error(`first run: exit ${first.code}\n${first.stdout}\n${first.stderr}`);
  rig.write('fixed', '');
  const second = rig.run(['run', 'c.toml', '--cores', '2', '--ui', 'plain', '--force']);
  if (second.code !== 1)
    throw new Error(`second run: exit ${second.code}\n${second.stdout}\n${second.stderr}`);
}

/** How many bars the timeline draws in a fragment of the page: of one colour class (`ok`, `fail`, ...) or all. */
export function bars(html: string, cls?: string): number {
  const re = new RegExp(`<path class="b k-${cls ?? '[a-z]+'}" d="([^"]*)"`, 'g');
  return [...html.matchAll(re)].reduce((n, m) => n + (m[1]!.match(/M/g) ?? []).length, 0);
}
