import { tail } from '../../log-tail.js';
import type { ReportData, ReportTask } from '../data.js';
import { esc, para, section, table } from '../html.js';
import { requestText } from './retries.js';

/** Lines of stderr shown per failure. */
export const STDERR_LINES = 20;
/** Failures shown with their stderr; the rest are listed in a table. */
const DETAILED = 100;

/** Each failed task: its last attempt's failure, log path, command and the tail of its stderr. */
export function failuresSection(data: ReportData): string {
  const failed = data.tasks.filter((t) => t.state === 'failed');
  const skipped = data.tasks.filter((t) => t.state === 'skipped');
  if (failed.length === 0 && skipped.length === 0)
    return section('failures', 'Failures', para('No task failed.'));
  const parts: string[] = [];
  if (failed.length > 0) {
    parts.push(
      table(
        'failures-table',
        ['task', 'attempt', 'failure', 'message', 'exit code', 'log'],
        failed.map((t) => {
          const a = t.attempts[t.attempts.length - 1]!;
          return [
            t.id,
            { cell: a.attempt, cls: 'n' },
            a.failure ?? 'failed',
            a.message ?? '',
            a.exitCode !== undefined ? String(a.exitCode) : (a.signal ?? '-'),
            a.err,
          ];
        }),
      ),
    );
    parts.push(...failed.slice(0, DETAILED).map(detail));
    if (failed.length > DETAILED)
      parts.push(
        para(
          `${failed.length - DETAILED} more failures are listed in the table above without their stderr: 'campaign logs TASK --err' prints it.`,
        ),
      );
  }
  if (skipped.length > 0) {
    parts.push(
      `<h3>Skipped (${skipped.length})</h3>`,
      table(
        'skipped-table',
        ['task', 'because'],
        skipped.map((t) => [t.id, t.skip?.message ?? ''] as const),
      ),
    );
  }
  return section('failures', 'Failures', parts.join('\n'));
}

function detail(t: ReportTask): string {
  const a = t.attempts[t.attempts.length - 1]!;
  const lines = tail(a.err, STDERR_LINES);
  const stderr =
    lines.length > 0
      ? `<pre class="stderr"><code>${esc(lines.join('\n'))}</code></pre>`
      : '<p class="mute">(stderr is empty)</p>';
  return `<details class="fail-item" open><summary>${esc(t.id)}: ${esc(a.failure ?? 'failed')}, ${esc(a.message ?? '')}</summary>
<p>Log: <code>${esc(a.err)}</code><br>Command: <code>${esc(t.command ?? '-')}</code><br>Request: ${esc(requestText(a.req))}</p>
<p class="mute">Last ${STDERR_LINES} lines of stderr (attempt ${a.attempt}):</p>
${stderr}
</details>`;
}
