import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobBook } from '../batch/book.js';
import type { Ledger } from '../batch/ledger.js';
import type { RateLimiter } from '../batch/rate.js';
import { submitInRounds } from '../batch/rounds.js';
import type { CommandRunner } from '../batch/runner.js';
import type { Handle, Submission, SubmitResult } from '../contract.js';
import { qsubArgv } from './argv.js';
import type { ClusterInfo } from './cluster.js';
import { type Group, groupSubmissions, type Member } from './group.js';
import { taskJobId, withIndex } from './ids.js';
import { jobName } from './job-name.js';
import { qsub } from './qsub.js';
import type { SiteOptions } from './request.js';
import { renderScript } from './script.js';

export interface SubmitterConfig {
  readonly dir: string;
  readonly campaign: string;
  readonly runId: string;
  readonly run: CommandRunner;
  readonly rate: RateLimiter;
  readonly user: string;
  readonly retries: number;
  readonly backoff: number;
  readonly qsubArgs: readonly string[];
  readonly site: SiteOptions;
  /** Seconds a job waits for an upstream's result line (baked into the scripts). */
  readonly resultGrace: number;
  readonly book: JobBook;
  readonly ledger: Ledger;
  readonly cluster: () => Promise<ClusterInfo>;
  readonly now: () => number;
  readonly verifier?: { readonly node: string; readonly script: string };
}

/** A handle handed over, with what watching it needs. */
export interface Accepted {
  readonly handle: Handle;
  readonly limit?: number;
  /** The job's name (accounting is looked up by the run's name prefix). */
  readonly name: string;
  /** The memory request as Grid Engine got it (`h_vmem=100M`), for messages. */
  readonly memory?: string;
}

/** The largest script this adapter writes; a larger group is split (an -hold_jid_ad one holds on whole arrays). */
const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

/**
 * Turns a batch of submissions into as few qsub calls as their requests and dependencies
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
    const cluster = await this.cfg.cluster();
    const maxTasks = Math.max(1, cluster.maxArrayTasks);
    const results = await submitInRounds(batch, {
      book: this.cfg.book,
      now: this.cfg.now,
      withIndex,
      // Grid Engine drops a hold on a job that has left its queue anyway.
      forget: () => true,
      singleLinePaths: true,
      submitRound: async (ready, results) => {
        for (const g of groupSubmissions(ready, (id) => this.cfg.book.sizeOf(id), maxTasks)) {
          for (const part of this.fit(g)) {
            const outcome = await this.send(part);
            for (const m of part.members) {
              if (!outcome.ok) {
                results[m.position] = { ok: false, message: outcome.message };
                continue;
              }
              const handle: Handle = {
                taskId: m.submission.taskId,
                attempt: m.submission.attempt,
                jobId: part.array ? taskJobId(outcome.jobId, m.index) : outcome.jobId,
                ...(part.array ? { arrayIndex: m.index } : {}),
                files: m.submission.files,
              };
              results[m.position] = { ok: true, handle };
              this.cfg.book.addHold(
                handle.jobId,
                m.after.map((h) => h.jobId),
              );
              accepted.push({
                handle,
                name: outcome.name,
                ...(m.submission.limit !== undefined ? { limit: m.submission.limit } : {}),
                ...(outcome.memory ? { memory: outcome.memory } : {}),
              });
            }
          }
        }
      },
    });
    return { results, accepted };
  }

  /** Splits a group whose script would be too large. */
  private fit(g: Group): Group[] {
    if (g.members.length === 1) return [g];
    const size = Buffer.byteLength(this.render(g, 'size-probe', 'size-probe', []));
    if (size <= MAX_SCRIPT_BYTES) return [g];
    const parts = Math.ceil(size / MAX_SCRIPT_BYTES) + 1;
    const per = Math.ceil(g.members.length / parts);
    // Smaller arrays no longer have the upstream arrays' range: they wait for the whole arrays.
    const wait = g.wait.kind === 'ad' ? { kind: 'jobs' as const, jobs: g.wait.arrays } : g.wait;
    const out: Group[] = [];
    for (let i = 0; i < g.members.length; i += per) {
      const members: Member[] = g.members.slice(i, i + per).map((m, k) => ({ ...m, index: k + 1 }));
      const one = members.length === 1;
      out.push(
        ...this.fit({
          ...g,
          wait,
          array: !one,
          size: members.length,
          members: one ? [{ ...members[0]!, index: 1 }] : members,
        }),
      );
    }
    return out;
  }

  private render(g: Group, token: string, name: string, argv: readonly string[], after?: string): string {
    const shared = after !== undefined;
    return renderScript({
      campaign: this.cfg.campaign,
      runId: this.cfg.runId,
      token,
      qsub: argv.length > 0 ? ['qsub', ...argv] : ['qsub', '-N', name],
      setup: g.setup,
      tasks: g.members.map((m) => ({
        index: m.index,
        submission: m.submission,
        upstreams: shared ? [] : m.after.map((h) => h.files.result),
      })),
      ...(after !== undefined ? { after } : {}),
      ...(g.request.limit !== undefined ? { limit: g.request.limit } : {}),
      killGrace: this.cfg.site.killGrace,
      resultGrace: this.cfg.resultGrace,
      ...(this.cfg.verifier ? { verifier: this.cfg.verifier } : {}),
    });
  }

  /** Writes the script, its upstream list and its ledger entry, then submits it. */
  private async send(
    g: Group,
  ): Promise<{ ok: true; jobId: string; name: string; memory?: string } | { ok: false; message: string }> {
    const token = `${this.session}-${++this.seq}`;
    const name = jobName(this.cfg.campaign, this.cfg.runId, token);
    const script = join(this.cfg.dir, `${token}.sh`);
    const args = qsubArgv(g, {
      name,
      dir: this.cfg.dir,
      script,
      site: this.cfg.site,
      resultGrace: this.cfg.resultGrace,
      extra: this.cfg.qsubArgs,
    });
    if (!args.ok) return args;
    // Members that wait for the same upstream attempts share one list (a funnel's may be long).
    const lists = g.members.map((m) => m.after.map((h) => h.files.result).join('\n'));
    const shared = lists[0] !== '' && lists.every((l) => l === lists[0]);
    const after = shared ? join(this.cfg.dir, `${token}.after`) : undefined;
    try {
      if (!this.madeDir) mkdirSync(join(this.cfg.dir, 'logs'), { recursive: true });
      this.madeDir = true;
      if (after) writeFileSync(after, `${lists[0]}\n`);
      writeFileSync(script, this.render(g, token, name, args.argv, after), { mode: 0o755 });
      this.cfg.ledger.recordScript({
        token,
        jobName: name,
        script,
        array: g.array,
        upstreams: shared ? g.members[0]!.after.map((h) => h.jobId) : [],
        members: g.members.map((m) => ({
          index: m.index,
          taskId: m.submission.taskId,
          attempt: m.submission.attempt,
          upstreams: shared ? [] : m.after.map((h) => h.jobId),
        })),
      });
    } catch (e) {
      return { ok: false, message: `cannot write the job script ${script}: ${(e as Error).message}` };
    }
    const r = await qsub(args.argv, {
      run: this.cfg.run,
      rate: this.cfg.rate,
      user: this.cfg.user,
      jobName: name,
      retries: this.cfg.retries,
      backoff: this.cfg.backoff,
    });
    if (!r.ok) return r;
    this.cfg.ledger.recordJob(token, r.jobId);
    if (g.array)
      this.cfg.book.addArray(
        r.jobId,
        Array.from({ length: g.size }, (_, i) => i + 1),
      );
    return { ok: true, jobId: r.jobId, name, ...(args.memory ? { memory: args.memory } : {}) };
  }
}
