import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve, sep } from 'node:path';
import type { Campaign, NodeSpec } from '../campaign.js';
import { outputFiles } from '../outputs.js';
import { type CheckCache, checkKey, filesIdentity } from './check-cache.js';
import type { CompiledNode } from './compile.js';
import type { Instances } from './instances.js';
import { type RenderContext, renderCommand, renderText } from './render.js';
import { anyRunOutputs } from './run-ref.js';
import { taskSeed } from './seed.js';

/** Seconds one item's `check` may take when `skip_complete` runs it at load time. */
const CHECK_TIMEOUT_MS = 60_000;

/** How `skip_complete` decides, per load. */
export interface SkipOptions {
  /**
   * Run the node's `check` for items whose outputs changed since their last check (`run` and
   * `expand`). Without, no check runs: an item whose outputs exist is complete unless its last
   * check, of these very files, failed.
   */
  readonly runChecks: boolean;
  readonly cache: CheckCache;
  /**
   * `run --clean-invalid`: delete the outputs of an item whose check fails (files, and
   * directories with what they hold), then tell `removed` which; the item runs again.
   */
  readonly removed?: (task: string, files: readonly string[]) => void;
}

/**
 * `skip_complete`: the instances whose declared outputs all exist (relative to their workdir)
 * and, when the node has a `check`, pass it. A check runs once per item whose outputs are new
 * or changed, at load time, as many at once as there are cores; its result is cached.
 */
export async function completeInstances(
  campaign: Campaign,
  node: NodeSpec,
  instances: Instances,
  compiled: CompiledNode,
  options: SkipOptions,
): Promise<Uint8Array> {
  const { cache } = options;
  const done = new Uint8Array(instances.count);
  const checks: {
    i: number;
    command: string | readonly string[];
    cwd: string;
    key: string;
    identity: string;
    files: readonly string[];
  }[] = [];
  const clean = (task: string, files: readonly string[]) => {
    if (!options.removed) return;
    // A directory goes with what it holds: what is inside is not listed again.
    const top = files.filter((f) => !files.some((d) => f.startsWith(`${d}${sep}`)));
    for (const f of top) rmSync(f, { recursive: true, force: true });
    options.removed(task, top);
  };
  const baseDir = node.workdir
    ? isAbsolute(node.workdir)
      ? node.workdir
      : resolve(campaign.dir, node.workdir)
    : campaign.dir;
  for (let i = 0; i < instances.count; i++) {
    const id = instances.id(i);
    const ctx: RenderContext = {
      value: (k) => instances.get(i, k),
      index: i,
      id,
      seed: () => taskSeed(campaign.seed, node.id, id),
    };
    const workdir = compiled.workdir ? resolve(campaign.dir, renderText(compiled.workdir, ctx)) : baseDir;
    // An item done in any earlier run is done: its files keep that run's id.
    const files = outputFiles(
      workdir,
      anyRunOutputs(
        workdir,
        compiled.outputs.map((t) => renderText(t, ctx)),
      ),
    );
    if (!files) continue;
    if (!compiled.check) {
      done[i] = 1;
      continue;
    }
    const command = renderCommand(compiled.check, ctx);
    const key = checkKey(command, workdir, node.env);
    const identity = filesIdentity(files);
    if (identity === undefined) continue; // an output vanished meanwhile
    const known = cache.lookup(node.id, key, identity);
    if (known !== undefined || !options.runChecks) {
      if (known !== false) done[i] = 1;
      else clean(`${node.id}[${id}]`, files);
      continue;
    }
    checks.push({ i, command, cwd: workdir, key, identity, files });
  }
  const env = { ...process.env, ...node.env };
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const c = checks[next++]!;
      const ok = await passes(c.command, c.cwd, env);
      if (ok) done[c.i] = 1;
      cache.record(node.id, c.key, c.identity, ok);
      if (!ok) clean(`${node.id}[${instances.id(c.i)}]`, c.files);
    }
  };
  await Promise.all(Array.from({ length: Math.min(checks.length, availableParallelism()) }, worker));
  return done;
}

function passes(check: string | readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const [cmd, ...args] = typeof check === 'string' ? ['/bin/sh', '-c', check] : check;
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, { cwd, env, stdio: 'ignore', timeout: CHECK_TIMEOUT_MS });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}
