import { Locator } from '../../config/locate.js';
import { readSource } from '../../config/source.js';
import { criticalPath } from '../../model/graph.js';
import { formatPlan } from '../../ui/plan.js';
import {
  deadlineDiagnostic,
  formatSchedule,
  hasBudget,
  scheduleJson,
  schedulePlan,
} from '../../ui/plan-schedule.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit, printDiagnostics } from '../load.js';
import { campaignOptions, parse } from '../options.js';

export const usage = `Usage: campaign plan FILE [--all] [--json] [--set path=value]...

Shows the campaign as a tree: groups, nodes, resolved dependencies, resolved commands and
resources, then a summary (nodes, edges, roots, leaves, critical path by declared runtime).
Fanned-out nodes show their instance and task counts and the first and last instance; --all
lists every instance (with its command) or chunk (with its items).

With a budget ([campaign.resources] nodes, cores_per_node, memory_per_node) it then shows the
schedule on it: a table per subcampaign, the makespan, core-hours, the critical path and a
timeline, and for nodes with a headroom the estimate, headroom and request. A deadline the
makespan misses is an error (exit 2) that says by how much and how many nodes would meet it.
--json prints the same as one JSON object.

Examples:
  campaign plan campaigns/so-mapmaking.toml
  campaign plan run.toml --set ml-mapmaking.resources.memory=256G
  campaign plan campaigns/weppcloud-batch/campaign.toml --all`;

export async function plan(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...campaignOptions, all: { type: 'boolean' }, json: { type: 'boolean' } },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`plan needs exactly one FILE\n\n${usage}`);
  const json = values.json ?? false;
  const loaded = await loadOrExit({ file, set: values.set ?? [], format: json ? 'json' : 'text' });
  const { campaign, tasks } = loaded;
  const now = Date.now();
  const sp = hasBudget(campaign)
    ? schedulePlan(campaign, tasks, { now, start: now, utcOffsetMinutes: -new Date(now).getTimezoneOffset() })
    : undefined;
  const problem = sp ? deadlineDiagnostic(sp) : undefined;
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
      ...(sp ? scheduleJson(campaign, tasks, sp) : {}),
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
    if (sp) out(`\n${formatSchedule(campaign, tasks, sp)}`);
  }
  if (problem) {
    const read = readSource(file);
    const located = read.ok ? new Locator([read.source]).locateAll([problem]) : [];
    if (!json) printDiagnostics(located, { file });
    return Exit.usage;
  }
  return Exit.ok;
}
