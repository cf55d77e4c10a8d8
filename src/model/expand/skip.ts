import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { Campaign, NodeSpec } from '../campaign.js';
import { missingOutputs } from '../outputs.js';
import type { CompiledNode } from './compile.js';
import type { Instances } from './instances.js';
import { type RenderContext, renderCommand, renderText } from './render.js';
import { instanceSeed } from './seed.js';

/** Seconds one item's `check` may take when `skip_complete` runs it at load time. */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * `skip_complete`: the instances whose declared outputs all exist (relative to their workdir)
 * and, when the node has a `check`, pass it. The check runs once per such item, at load time,
 * as many at once as there are cores.
 */
export async function completeInstances(
  campaign: Campaign,
  node: NodeSpec,
  instances: Instances,
  compiled: CompiledNode,
): Promise<Uint8Array> {
  const done = new Uint8Array(instances.count);
  const checks: { i: number; command: string | readonly string[]; cwd: string }[] = [];
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
      seed: () => instanceSeed(campaign.seed, id),
    };
    const workdir = compiled.workdir ? resolve(campaign.dir, renderText(compiled.workdir, ctx)) : baseDir;
    const outputs = compiled.outputs.map((t) => renderText(t, ctx));
    if (missingOutputs(workdir, outputs).length > 0) continue;
    if (compiled.check) checks.push({ i, command: renderCommand(compiled.check, ctx), cwd: workdir });
    else done[i] = 1;
  }
  const env = { ...process.env, ...node.env };
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const c = checks[next++]!;
      if (await passes(c.command, c.cwd, env)) done[c.i] = 1;
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
