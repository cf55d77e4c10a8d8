import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Campaign, NodeSpec, Resources } from '../campaign.js';
import { displayCommand } from '../shell.js';
import {
  fingerprint,
  type ItemRecord,
  type ResourceEstimate,
  RUNTIME_MARGIN,
  type TaskMarkers,
  type TaskSpec,
} from '../tasks.js';
import type { Spread } from './chunk.js';
import type { CompiledNode } from './compile.js';
import { padIndex, widthFor } from './ids.js';
import type { Instances } from './instances.js';
import { type RenderContext, renderCommand, renderText } from './render.js';
import { anyRunOutputs, type RunNamedOutputs } from './run-ref.js';
import { taskSeed } from './seed.js';

/** Everything the tasks of one fanned-out node share. */
export class NodePlan {
  readonly workdir: string;
  readonly limit: number | undefined;
  readonly baseHash: string;
  readonly chunkWidth: number;

  constructor(
    readonly campaign: Campaign,
    readonly node: NodeSpec,
    readonly instances: Instances,
    readonly compiled: CompiledNode,
    /** Instance numbers that became tasks. */
    readonly kept: ArrayLike<number>,
    readonly spread: Spread | undefined,
    /** Commands a workflow type built, one per task, when it is not the `command` type. */
    readonly commands: readonly (string | readonly string[])[] | undefined,
    readonly estimate: ResourceEstimate | undefined,
  ) {
    this.workdir = absolute(campaign.dir, node.workdir);
    const r = node.resources;
    this.limit = node.timeout ?? (r.runtime !== undefined ? r.runtime * RUNTIME_MARGIN : undefined);
    this.baseHash = fingerprint({
      seed: campaign.seed,
      setup: node.setup,
      env: node.env,
      workflow: node.workflow ?? null,
      params: node.params ?? null,
      cores: [r.cores, r.ranks ?? 0, r.threads ?? 0, r.gpus, r.nodes],
    });
    this.chunkWidth = spread ? widthFor(spread.tasks, 4) : 0;
  }

  /** How placeholders read for instance i. */
  instanceContext(i: number): RenderContext {
    const { instances, campaign, node } = this;
    const id = instances.id(i);
    return {
      value: (k) => instances.get(i, k),
      index: i,
      id,
      seed: () => taskSeed(campaign.seed, node.id, id),
    };
  }

  /** How placeholders read for chunk k: only the built-ins. */
  chunkContext(k: number): RenderContext {
    const id = this.chunkId(k);
    return {
      value: () => undefined,
      index: k,
      id,
      seed: () => taskSeed(this.campaign.seed, this.node.id, id),
    };
  }

  chunkId(k: number): string {
    return `chunk-${padIndex(k, this.chunkWidth)}`;
  }

  /** The manifest record of instance i (its seed is the instance's task seed, computed when read). */
  item(i: number): ItemRecord {
    const id = this.instances.id(i);
    const campaignSeed = this.campaign.seed;
    const nodeId = this.node.id;
    let seed: number | undefined;
    return {
      instance: id,
      index: i,
      get seed() {
        seed ??= taskSeed(campaignSeed, nodeId, id);
        return seed;
      },
      values: this.instances.record(i),
    };
  }

  env(ctx: RenderContext): Record<string, string> {
    const out: Record<string, string> = { ...this.node.env };
    for (const [name, t] of this.compiled.env) out[name] = renderText(t, ctx);
    out.CAMPAIGN_INSTANCE = ctx.id;
    out.CAMPAIGN_SEED = String(ctx.seed());
    return out;
  }

  workdirOf(ctx: RenderContext): string {
    return this.compiled.workdir
      ? absolute(this.campaign.dir, renderText(this.compiled.workdir, ctx))
      : this.workdir;
  }

  outputsOf(ctx: RenderContext): string[] {
    return this.compiled.outputs.map((t) => renderText(t, ctx));
  }

  /** The marker files of the instances given, or undefined when the node writes none. */
  markersOf(ctxs: readonly RenderContext[]): TaskMarkers | undefined {
    const m = this.compiled.markers;
    if (!m) return undefined;
    const { ready, done } = m;
    return {
      ready: ready ? ctxs.map((c) => renderText(ready, c)) : [],
      done: done ? [...new Set(ctxs.map((c) => renderText(done, c)))] : [],
    };
  }

  /**
   * A task's fingerprint: the node's (which includes the campaign seed, so seeds need not be
   * hashed), the command, the templated env values, the workdir, and each item's id and values.
   * One SHA-256 over a flat text: a million tasks hash in a few seconds.
   */
  hash(command: string | readonly string[], ctx: RenderContext, instances: readonly number[]): string {
    let text = `${this.baseHash}\u0000${JSON.stringify(command)}\u0000${this.workdirOf(ctx)}\u0000`;
    for (const [name, t] of this.compiled.env) text += `${name}=${renderText(t, ctx)}\u0001`;
    for (const i of instances) {
      text += `\u0000${this.instances.id(i)}\u0001${i}\u0001${JSON.stringify(this.instances.record(i))}`;
    }
    return createHash('sha256').update(text).digest('hex').slice(0, 16);
  }
}

function absolute(dir: string, workdir: string | undefined): string {
  if (!workdir) return dir;
  return isAbsolute(workdir) ? workdir : resolve(dir, workdir);
}

/**
 * One instance of a fanned-out node. Everything but the id is computed when asked for, so a
 * million tasks cost a million small objects.
 */
export class InstanceTask implements TaskSpec, RunNamedOutputs {
  readonly id: string;

  constructor(
    private readonly plan: NodePlan,
    /** The task's number among its node's tasks. */
    private readonly k: number,
    /** The instance number. */
    readonly index: number,
  ) {
    this.id = `${plan.node.id}[${plan.instances.id(index)}]`;
  }

  get node(): NodeSpec {
    return this.plan.node;
  }
  get instance(): string {
    return this.plan.instances.id(this.index);
  }
  get resources(): Resources {
    return this.plan.node.resources;
  }
  get limit(): number | undefined {
    return this.plan.limit;
  }
  get estimate(): ResourceEstimate | undefined {
    return this.plan.estimate;
  }
  private get ctx(): RenderContext {
    return this.plan.instanceContext(this.index);
  }
  get command(): string | readonly string[] {
    const { commands, compiled } = this.plan;
    return commands ? commands[this.k]! : renderCommand(compiled.command!, this.ctx);
  }
  get env(): Record<string, string> {
    return this.plan.env(this.ctx);
  }
  get workdir(): string {
    return this.plan.workdirOf(this.ctx);
  }
  /** Any run's files (see run-ref.ts); `runOutputs` is the declared form. */
  get outputs(): string[] {
    return anyRunOutputs(this.workdir, this.runOutputs);
  }
  get runOutputs(): string[] {
    return this.plan.outputsOf(this.ctx);
  }
  get check(): string | readonly string[] | undefined {
    const c = this.plan.compiled.check;
    return c ? renderCommand(c, this.ctx) : undefined;
  }
  get items(): ItemRecord[] {
    return [this.plan.item(this.index)];
  }
  get markers(): TaskMarkers | undefined {
    return this.plan.markersOf([this.ctx]);
  }
  get hash(): string {
    return this.plan.hash(this.command, this.ctx, [this.index]);
  }
}

/** A task that runs a chunk of a node's items; they reach it as a manifest ($CAMPAIGN_ITEMS). */
export class ChunkTask implements TaskSpec, RunNamedOutputs {
  readonly id: string;

  constructor(
    private readonly plan: NodePlan,
    /** The chunk's number among its node's tasks. */
    readonly index: number,
  ) {
    this.id = `${plan.node.id}[${plan.chunkId(index)}]`;
  }

  get node(): NodeSpec {
    return this.plan.node;
  }
  get instance(): string {
    return this.plan.chunkId(this.index);
  }
  get resources(): Resources {
    return this.plan.node.resources;
  }
  get limit(): number | undefined {
    return this.plan.limit;
  }
  get estimate(): ResourceEstimate | undefined {
    return this.plan.estimate;
  }
  /** The instance numbers of the chunk's items. */
  instances(): number[] {
    const { spread, kept } = this.plan;
    const out: number[] = [];
    for (let p = spread!.start(this.index); p < spread!.end(this.index); p++) out.push(kept[p]!);
    return out;
  }
  private get ctx(): RenderContext {
    return this.plan.chunkContext(this.index);
  }
  get command(): string | readonly string[] {
    const { commands, compiled } = this.plan;
    return commands ? commands[this.index]! : renderCommand(compiled.command!, this.ctx);
  }
  get env(): Record<string, string> {
    return this.plan.env(this.ctx);
  }
  get workdir(): string {
    return this.plan.workdirOf(this.ctx);
  }
  /** Any run's files (see run-ref.ts); `runOutputs` is the declared form. */
  get outputs(): string[] {
    return anyRunOutputs(this.workdir, this.runOutputs);
  }
  get runOutputs(): string[] {
    return this.instances().flatMap((i) => this.plan.outputsOf(this.plan.instanceContext(i)));
  }
  /** A check that uses item values runs for each item; the chunk passes when all pass. */
  get check(): string | readonly string[] | undefined {
    const c = this.plan.compiled.check;
    if (!c) return undefined;
    if (!this.plan.compiled.checkPerItem) return renderCommand(c, this.ctx);
    return this.instances()
      .map((i) => `(${displayCommand(renderCommand(c, this.plan.instanceContext(i)))})`)
      .join(' && ');
  }
  get items(): ItemRecord[] {
    return this.instances().map((i) => this.plan.item(i));
  }
  get markers(): TaskMarkers | undefined {
    return this.plan.markersOf(this.instances().map((i) => this.plan.instanceContext(i)));
  }
  get hash(): string {
    return this.plan.hash(this.command, this.ctx, this.instances());
  }
}
