import { criticalPath } from '../../model/graph.js';
import { rightSizeJson } from '../../plan/history.js';
import { resolveState } from '../../state/layout.js';
import { StateStore } from '../../state/store.js';
import { formatPlan } from '../../ui/plan.js';
import { formatPartitions } from '../../ui/plan-partitions.js';
import { formatRightSize } from '../../ui/plan-right-size.js';
import { formatSchedule, scheduleJson } from '../../ui/plan-schedule.js';
import { formatSizing, sizingJson } from '../../ui/plan-sizing.js';
import { Exit, UsageError } from '../exit.js';
import { rightSizeFromHistory } from '../history.js';
import { err, out } from '../io.js';
import { loadOrExit, printDiagnostics } from '../load.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, parse, stateDirOption } from '../options.js';
import { planCampaign } from '../planner.js';

export const usage = `Usage: campaign plan [FILE] [--all] [--right-size] [--json] [--set path=value]...

Shows the campaign as a tree: groups, nodes, resolved dependencies, resolved commands and
resources, then a summary (nodes, edges, roots, leaves, critical path by declared runtime).
Fanned-out nodes show their instance and task counts and the first and last instance; --all
lists every instance (with its command) or chunk (with its items).

With a cluster ([campaign.cluster], or cluster = "clusters/NAME.toml") it shows the partition
(or queue) each node goes to; a node that fits none is an error (exit 2) that says which limit
of which partition it exceeds.

With a budget ([campaign.resources] nodes, cores_per_node, memory_per_node) it then shows the
schedule on it: a table per subcampaign, the makespan, core-hours, the critical path and a
timeline, and for nodes with a headroom the estimate, headroom and request. A deadline the
makespan misses is an error (exit 2) that says by how much and how many nodes would meet it.
--json prints the same as one JSON object.

--right-size shows instead, from the recorded runs (--state-dir DIR: where they are), per node
requested vs observed (median, p95, max of the succeeded attempts' peak memory and wall time)
vs suggested (the observed max plus headroom, never below it), and what the suggestion saves
over the last run; --json gives { "right_size": [...] }. campaign run --apply-history (or
history = "apply" in the file) requests the suggestions.

Examples:
  campaign plan campaigns/so-mapmaking/campaign.toml
  campaign plan campaigns/so-mapmaking/campaign.toml --set ml-mapmaking.resources.memory=3G
  campaign plan campaigns/weppcloud-batch/campaign.toml --all`;

export async function plan(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...campaignOptions,
      ...stateDirOption,
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      'right-size': { type: 'boolean' },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 1) throw new UsageError(`plan takes at most one FILE\n\n${usage}`);
  const file = campaignFile(positionals[0], values['state-dir']);
  const json = values.json ?? false;
  const loaded = await loadOrExit({ file, set: values.set ?? [], format: json ? 'json' : 'text' });
  const { campaign, tasks } = loaded;
  const planned = planCampaign(loaded, file, { now: Date.now() });
  if (values['right-size']) {
    const store = new StateStore(resolveState(file, values['state-dir'], campaign.stateDir));
    const rows = rightSizeFromHistory(store, tasks, planned.sized, planned.inputBytes);
    out(
      json
        ? `${JSON.stringify(rightSizeJson(rows), null, 2)}\n`
        : formatRightSize(rows, store.runIds().length),
    );
    return Exit.ok;
  }
  const sp = planned.schedule;
  const sizing = sizingJson(campaign, tasks, planned.sized);
  if (json) {
    const cp = criticalPath(loaded.graph);
    const doc = {
      campaign: campaign.name,
      file: campaign.file,
      scheduler: campaign.scheduler.type,
      nodes: loaded.graph.tasks.length,
      edges: loaded.graph.dag.edgeCount,
      tasks: tasks.tasks.length,
      critical_path: { nodes: cp.path, seconds: cp.seconds },
      ...(planned.partitions
        ? {
            partitions: Object.fromEntries(
              [...planned.partitions].map(([id, c]) => [id, c.ok ? c.partition.name : null]),
            ),
          }
        : {}),
      ...(sp ? scheduleJson(tasks, sp) : {}),
      ...(sizing.length > 0 ? { sizing } : {}),
      ...(planned.notes.length > 0 ? { notes: planned.notes } : {}),
    };
    out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    out(
      formatPlan(campaign, loaded.graph, {
        tasks,
        pairing: loaded.pairing,
        all: values.all ?? false,
      }),
    );
    if (planned.cluster && planned.partitions)
      out(
        `\n${formatPartitions(planned.cluster.cluster, tasks, planned.partitions, planned.sized.requests)}`,
      );
    if (sp) out(`\n${formatSchedule(sp)}`);
    const table = formatSizing(campaign, tasks, planned.sized);
    if (table) out(`\n${table}`);
    for (const note of planned.notes) err(`note: ${note}\n`);
  }
  if (planned.problems.length > 0) {
    if (!json) printDiagnostics(planned.problems, { file });
    return Exit.usage;
  }
  return Exit.ok;
}
