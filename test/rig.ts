import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The real binary, as `npm ci` leaves it. */
export const bin = join(repo, 'dist/cli/main.js');
export const fixtures = join(repo, 'test/fixtures');

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temp directory with campaign files written by the test, and the binary run inside it. */
export class Rig {
  readonly dir: string;

  constructor(prefix = 'campaign-test-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  write(name: string, text: string): string {
    const p = this.path(name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  /** Runs `campaign ARGS` to completion in the rig's directory. */
  run(
    args: string[],
    opts: { env?: Record<string, string | undefined>; input?: string; timeout?: number } = {},
  ): Result {
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd: this.dir,
      env: cleanEnv(opts.env),
      input: opts.input ?? '',
      encoding: 'utf8',
      timeout: opts.timeout ?? 300_000,
    });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  /** Starts `campaign ARGS` in the background. */
  start(args: string[], opts: { env?: Record<string, string | undefined> } = {}) {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: this.dir,
      env: cleanEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<Result>((res) =>
      child.on('close', (code, signal) => res({ code, signal, stdout, stderr })),
    );
    // The head itself has ended (its pipes may live on in tasks that outlive it).
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    return { child, done, exited, output: () => ({ stdout, stderr }) };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The environment a test run sees: no CI-dependent behaviour leaks in unless a test asks. */
function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true', FORCE_COLOR: undefined };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  delete env.FORCE_COLOR;
  return env;
}

/** Trims the common indentation of a template literal, for readable expected output. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
