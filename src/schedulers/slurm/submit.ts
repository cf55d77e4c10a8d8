import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Handle, Submission, SubmitResult } from '../contract.js';
import { arraySpec, withIndex } from './array-spec.js';
import type { JobBook } from './book.js';
import type { ClusterLimits } from './cluster.js';
import { type Group, groupSubmissions, type Member, type Pending } from './group.js';
import { attemptKey, type Ledger } from './ledger.js';
import type { RateLimiter } from './rate.js';
import type { CommandRunner } from './runner.js';
import { sbatch } from './sbatch.js';
import { renderScript } from './script.js';

export interface SubmitterConfig {
  readonly dir: string;
  readonly campaign: string;
  readonly runId: string;
  readonly run: CommandRunner;
  readonly rate: RateLimiter;
  readonly retries: number;
  readonly backoff: number;
  readonly sbatchArgs: readonly string[];
  readonly book: JobBook;
  readonly ledger: Ledger;
  readonly limits: () => Promise<ClusterLimits>;
  readonly now: () => number;
}

/** A handle handed over, with what watching it needs. */
export interface Accepted {
  readonly handle: Handle;
  readonly limit?: number;
}

/** Share of the controller's script size limit a script may use (the rest is headroom). */
const SCRIPT_BUDGET = 0.9;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Turns a batch of submissions into as few sbatch calls as their requests and dependencies
 * allow. Upstream handles with an empty job id may name submissions of the same batch: those
 * go first, so one batch can carry a whole graph.
 */
export class Submitter {
  private seq = 0;
  private readonly session = randomBytes(3).toString('hex');
  private madeDir = false;

  constructor(private readonly cfg: SubmitterConfig) {}

  async submit(batch: readonly Submission[]): Promise<{ results: SubmitResult[]; accepted: Accepted[] }> {
    const results: (SubmitResult | undefined)[] = new Array(batch.length);
    const accepted: Accepted[] = [];
    const limits = await this.cfg.limits();
    const positionOf = new Map<string, number>();
    for (const [i, s] of batch.entries()) {
      positionOf.set(attemptKey(s.taskId, s.attempt), i);
      const problem = invalid(s);
      if (problem) results[i] = { ok: false, message: problem };
    }
    let left = batch.map((_, i) => i).filter((i) => !results[i]);
    while (left.length > 0) {
      const ready: Pending[] = [];
      const waiting: number[] = [];
      for (const i of left) {
        const resolved = this.resolveAfter(batch[i]!, positionOf, results, limits.minJobAge * 500);
        if (resolved === 'wait') waiting.push(i);
        else if (typeof resolved === 'string') results[i] = { ok: false, message: resolved };
        else ready.push({ position: i, submission: batch[i]!, after: resolved });
      }
      if (ready.length === 0) {
        for (const i of waiting)
          results[i] = { ok: false, message: 'waits in a cycle on submissions of its own batch' };
        break;
      }
      const maxTasks = Math.max(1, Math.min(limits.maxArrayTasks, limits.maxArraySize - 1));
      for (const g of groupSubmissions(ready, (id) => this.cfg.book.members(id), maxTasks)) {
        for (const part of await this.fit(g, limits)) {
          const outcome = await this.send(part);
          for (const m of part.members) {
            if (!outcome.ok) {
              results[m.position] = { ok: false, message: outcome.message };
              continue;
            }
            const handle: Handle = {
              taskId: m.submission.taskId,
              attempt: m.submission.attempt,
              jobId: part.array ? `${outcome.jobId}_${m.index}` : outcome.jobId,
              ...(part.array ? { arrayIndex: m.index } : {}),
              files: m.submission.files,
            };
            results[m.position] = { ok: true, handle };
            accepted.push({
              handle,
              ...(m.submission.limit !== undefined ? { limit: m.submission.limit } : {}),
            });
          }
        }
      }
      left = waiting;
    }
    return { results: results.map((r) => r ?? { ok: false, message: 'not submitted' }), accepted };
  }

  /**
   * The upstream handles a submission waits for: same-batch names replaced by their handles,
   * jobs this head saw succeed long ago dropped (Slurm may have forgotten them). A failed
   * upstream is an error; `wait` while a same-batch upstream is not submitted yet.
   */
  private resolveAfter(
    s: Submission,
    positionOf: ReadonlyMap<string, number>,
    results: readonly (SubmitResult | undefined)[],
    forgetMs: number,
  ): Handle[] | string | 'wait' {
    const out: Handle[] = [];
    const now = this.cfg.now();
    for (const given of s.after ?? []) {
      const h = withIndex(given);
      let up = h;
      if (h.jobId === '') {
        const pos = positionOf.get(attemptKey(h.taskId, h.attempt));
        if (pos === undefined) return `upstream ${h.taskId} has no job id and is not in this batch`;
        const r = results[pos];
        if (!r) return 'wait';
        if (!r.ok) return `upstream ${h.taskId} was not submitted: ${r.message}`;
        up = r.handle;
      }
      const end = this.cfg.book.endOf(up.jobId);
      if (end && !end.ok) return `upstream ${up.taskId} (job ${up.jobId}) failed`;
      if (end && now - end.at > forgetMs) continue;
      out.push(up);
    }
    return out;
  }

  /** Splits a group whose script would exceed the controller's size limit. */
  private async fit(g: Group, limits: ClusterLimits): Promise<Group[]> {
    const budget = limits.maxScriptBytes * SCRIPT_BUDGET;
    const size = Buffer.byteLength(this.render(g, 'size-probe', 'size-probe'));
    if (size <= budget || g.members.length === 1) return [g];
    const parts = Math.ceil(size / budget) + 1;
    const per = Math.ceil(g.members.length / parts);
    const corr = g.dependency?.startsWith('aftercorr:') ?? false;
    const out: Group[] = [];
    for (let i = 0; i < g.members.length; i += per) {
      const members: Member[] = g.members.slice(i, i + per).map((m, k) => (corr ? m : { ...m, index: k }));
      out.push(...(await this.fit({ ...g, members, array: true }, limits)));
    }
    return out;
  }

  private render(g: Group, token: string, jobName: string): string {
    const indices = g.members.map((m) => m.index);
    return renderScript({
      campaign: this.cfg.campaign,
      runId: this.cfg.runId,
      token,
      jobName,
      dir: this.cfg.dir,
      request: g.request,
      setup: g.setup,
      tasks: g.members.map((m) => ({ index: m.index, submission: m.submission })),
      ...(g.array ? { array: arraySpec(indices, g.throttle) } : {}),
      ...(g.dependency ? { dependency: g.dependency } : {}),
    });
  }

  /** Writes the script and its ledger entry, then submits it. */
  private async send(g: Group): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
    const token = `${this.session}-${++this.seq}`;
    const jobName = `${safe(this.cfg.campaign)}.${safe(this.cfg.runId)}.${token}`;
    const script = join(this.cfg.dir, `${token}.sh`);
    try {
      if (!this.madeDir) mkdirSync(this.cfg.dir, { recursive: true });
      this.madeDir = true;
      writeFileSync(script, this.render(g, token, jobName), { mode: 0o755 });
      this.cfg.ledger.recordScript({
        token,
        jobName,
        script,
        array: g.array,
        members: g.members.map((m) => ({
          index: m.index,
          taskId: m.submission.taskId,
          attempt: m.submission.attempt,
        })),
      });
    } catch (e) {
      return { ok: false, message: `cannot write the batch script ${script}: ${(e as Error).message}` };
    }
    const r = await sbatch(script, {
      run: this.cfg.run,
      rate: this.cfg.rate,
      cwd: this.cfg.dir,
      jobName,
      args: this.cfg.sbatchArgs,
      retries: this.cfg.retries,
      backoff: this.cfg.backoff,
    });
    if (r.ok) {
      this.cfg.ledger.recordJob(token, r.jobId);
      if (g.array)
        this.cfg.book.addArray(
          r.jobId,
          g.members.map((m) => m.index),
        );
    }
    return r;
  }
}

/** Why Slurm could not take a submission as it is, if it could not. */
function invalid(s: Submission): string | undefined {
  const bad = Object.keys(s.env).find((k) => !NAME.test(k));
  if (bad !== undefined) return `environment variable name ${JSON.stringify(bad)} is not valid in a shell`;
  for (const p of [s.files.out, s.files.err, s.files.result]) {
    if (!isAbsolute(p)) return `attempt file ${p} is not an absolute path`;
  }
  if (typeof s.command !== 'string' && s.command.length === 0) return 'empty command';
  return undefined;
}

/** A name part Slurm shows as is. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
