import { type Diagnostic, type DocPath, diag } from '../config/diagnostic.js';
import { COMMON_KEYS, schedulerNames, schedulers } from '../schedulers/index.js';
import type { Campaign, SchedulerType } from './campaign.js';

/** An option of one scheduler and the one another scheduler spells for the same thing. */
const COUNTERPART: Readonly<Record<string, string>> = {
  queue: 'partition',
  partition: 'queue',
  project: 'account',
  account: 'project',
};

/**
 * Scheduler options the chosen adapter does not understand, at their positions: an error,
 * or a warning when the file says it is also meant for a scheduler that does understand them
 * (`targets` in `[campaign.scheduler]`). Keys no adapter knows are the schema's business.
 */
export function checkSchedulerOptions(data: Record<string, unknown>, campaign: Campaign): Diagnostic[] {
  const chosen = campaign.scheduler.type;
  const targets = new Set<SchedulerType>(campaign.scheduler.targets ?? []);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const visit = (path: DocPath) => {
    const key = path.join('\0');
    if (seen.has(key)) return;
    seen.add(key);
    const table = tableAt(data, path);
    if (!table) return;
    for (const k of Object.keys(table)) {
      if (COMMON_KEYS.has(k) || k in schedulers[chosen].options) continue;
      const others = schedulerNames.filter((n) => n !== chosen && k in schedulers[n].options);
      if (others.length === 0) continue;
      const meant = others.filter((n) => targets.has(n));
      const where = { path: [...path, k], part: 'key' as const };
      if (meant.length > 0) {
        out.push(
          diag(
            'unknown-scheduler-option',
            `\`${k}\` is an option of ${list(meant)}, which this file is also meant for; the ${chosen} scheduler this run uses ignores it`,
            where,
            { severity: 'warning' },
          ),
        );
        continue;
      }
      const own = COUNTERPART[k];
      const hint =
        own !== undefined && own in schedulers[chosen].options ? `on ${chosen} this is \`${own}\`; ` : '';
      out.push(
        diag(
          'unknown-scheduler-option',
          `\`${k}\` is an option of ${list(others)}, not of the ${chosen} scheduler this run uses`,
          where,
          {
            suggestion: `${hint}if the file is meant for ${list(others)} too, say so in [campaign.scheduler]: targets = [${[
              ...new Set([...targets, ...others]),
            ]
              .map((n) => JSON.stringify(n))
              .join(', ')}], or remove it`,
          },
        ),
      );
    }
  };
  visit(['campaign', 'scheduler']);
  visit(['campaign', 'defaults', 'scheduler']);
  for (const node of campaign.nodes.values()) visit([...node.docPath, 'scheduler']);
  return out;
}

function tableAt(data: Record<string, unknown>, path: DocPath): Record<string, unknown> | undefined {
  let v: unknown = data;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
