import type { ReportData } from './data.js';
import { fmtTime } from './format.js';
import { esc, page } from './html.js';
import { compareSection } from './sections/compare.js';
import { dagSection } from './sections/dag.js';
import { failuresSection } from './sections/failures.js';
import { resourcesSection } from './sections/resources.js';
import { retriesSection } from './sections/retries.js';
import { summarySection } from './sections/summary.js';
import { timelineSection } from './sections/timeline.js';

const NAV: [string, string][] = [
  ['summary', 'Summary'],
  ['timeline', 'Timeline'],
  ['resources', 'Resources'],
  ['retries', 'Retries'],
  ['dag', 'DAG'],
  ['compare', 'Comparison'],
  ['failures', 'Failures'],
];

/**
 * The report: one self-contained HTML page (no script, no fetch: styles inline, the timeline
 * and the DAG inline SVG), readable with JavaScript off.
 */
export function renderReport(data: ReportData): string {
  const run = data.runs[data.runs.length - 1]!;
  const body = [
    summarySection(data),
    timelineSection(data),
    resourcesSection(data),
    retriesSection(data),
    dagSection(data),
    compareSection(data),
    failuresSection(data),
    `<footer><p class="mute">Made by <code>campaign report</code> at ${esc(fmtTime(data.generated))} from ${esc(data.stateDir)}.</p></footer>`,
  ].join('\n');
  return page(`${data.campaign}: run ${run.id} (${run.status})`, NAV, body);
}
