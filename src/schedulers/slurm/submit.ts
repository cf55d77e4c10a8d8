import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobBook } from '../batch/book.js';
import type { Ledger } from '../batch/ledger.js';
import type { RateLimiter } from '../batch/rate.js';
import { submitInRounds } from '../batch/rounds.js';
import type { CommandRunner } from '../batch/runner.js';
import type { Handle, Submission, SubmitResult } from '../contract.js';
import { arraySpec, withIndex } from './array-spec.js';
import type { ClusterLimits } from './cluster.js';
import { type Group, groupSubmissions, type Member } from './group.js';
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
    const accepted: Accepted[] = [];
    const limits = await this.cfg.limits();
    const forgetMs = limits.minJobAge * 500;
    const maxTasks = Math.max(1, Math.min(limits.maxArrayTasks, limits.maxArraySize - 1));
    const results = await submitInRounds(batch, {
      book: this.cfg.book,
      now: this.cfg.now,
      withIndex,
      // Slurm forgets a finished job after MinJobAge: a dependency on it would then be refused.
      forget: (at, now) => now - at > forgetMs,
      singleLinePaths: false,
      submitRound: async (ready, results) => {
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
      },
    });
    return { results, accepted };
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

/** A name part Slurm shows as is. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
