import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Campaign } from '../model/campaign.js';
import { bindRun, bindRunCommand, declaredOutputs, namesRun } from '../model/expand/run-ref.js';
import type { TaskSpec } from '../model/tasks.js';
import type { AttemptFiles, Handle, Submission } from '../schedulers/contract.js';

/** Where a run keeps its attempts' files: the part of the state layout the engine needs. */
export interface AttemptLayout {
  /** The state directory itself (reported when a run starts). */
  readonly root: string;
  tasksDir(runId: string): string;
  attempt(runId: string, taskId: string, attempt: number): AttemptFiles;
  /** The item manifest of a task that bundles fan-out items. */
  items(runId: string, taskId: string): string;
}

export type Prepared = { ok: true; submission: Submission } | { ok: false; message: string };

/**
 * Makes everything one attempt needs before it is handed over: the run's task folder, the
 * task's workdir, its item manifest, its `CAMPAIGN_*` environment, and the submission itself.
 */
export class AttemptPreparer {
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly campaign: Campaign,
    private readonly runId: string,
    private readonly layout: AttemptLayout,
  ) {}

  /** `request`: memory (MiB) and time limit (s) that replace the task's own, after an escalation. */
  prepare(
    t: TaskSpec,
    attempt: number,
    after?: readonly Handle[],
    request?: { readonly memory?: number; readonly limit?: number },
  ): Prepared {
    const { campaign, runId, layout } = this;
    // `{run}` becomes this run's id here, and only here (docs/campaign-file.md, "The run id").
    const bind = (text: string) => bindRun(text, runId);
    const workdir = bind(t.workdir);
    try {
      this.mkdir(layout.tasksDir(runId));
      this.mkdir(workdir);
    } catch (e) {
      return { ok: false, message: `cannot prepare ${workdir}: ${(e as Error).message}` };
    }
    let manifest: string | undefined;
    if (t.items) {
      manifest = layout.items(runId, t.id);
      try {
        if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify(t.items)}\n`);
      } catch (e) {
        return { ok: false, message: `cannot write the item manifest: ${(e as Error).message}` };
      }
    }
    const r = request?.memory !== undefined ? { ...t.resources, memory: request.memory } : t.resources;
    const limit = request?.limit ?? t.limit;
    const submission: Submission = {
      taskId: t.id,
      attempt,
      command: bindRunCommand(t.command, runId),
      setup: t.node.setup.map(bind),
      env: {
        ...bindEnv(t.env, runId),
        CAMPAIGN_NAME: campaign.name,
        CAMPAIGN_RUN_ID: runId,
        CAMPAIGN_TASK_ID: t.id,
        CAMPAIGN_NODE: t.node.id,
        CAMPAIGN_ATTEMPT: String(attempt),
        CAMPAIGN_CORES: String(r.cores),
        ...(r.memory !== undefined ? { CAMPAIGN_MEMORY_MB: String(r.memory) } : {}),
        CAMPAIGN_DIR: campaign.dir,
        ...(manifest ? { CAMPAIGN_ITEMS: manifest } : {}),
        ...(t.index !== undefined ? { CAMPAIGN_TASK_INDEX: String(t.index) } : {}),
      },
      workdir,
      resources: r,
      options: t.node.scheduler,
      ...(limit !== undefined ? { limit } : {}),
      files: layout.attempt(runId, t.id, attempt),
      jobName: `${campaign.name}.${runId}.${t.id}`,
      ...(after && after.length > 0 ? { after } : {}),
      ...(t.node.maxParallel !== undefined ? { throttle: { key: t.node.id, max: t.node.maxParallel } } : {}),
      ...(t.outputs.length > 0 || t.check !== undefined
        ? {
            verify: {
              outputs: declaredOutputs(t).map(bind),
              ...(t.check !== undefined ? { check: bindRunCommand(t.check, runId) } : {}),
            },
          }
        : {}),
    };
    return { ok: true, submission };
  }

  private mkdir(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }
}

/** Environment values with `{run}` bound (the object itself when none names it). */
function bindEnv(env: Readonly<Record<string, string>>, runId: string): Readonly<Record<string, string>> {
  if (!Object.values(env).some(namesRun)) return env;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, bindRun(v, runId)]));
}
