import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { nearest } from '../../config/suggest.js';
import { openCampaign } from '../context.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { defaultCampaignFile } from '../locate-file.js';
import { parse } from '../options.js';

export const usage = `Usage: campaign logs TASK [FILE] [--err] [--follow] [--attempt N] [--run RUN]

Prints a task's output from its latest attempt (or the one given). TASK is a node id, or an
instance id such as 'wepp[huc-1201]'.

  --err          standard error instead of standard output
  --follow, -f   keep printing as the attempt writes, until it ends
  --attempt N    that attempt of the task's latest run
  --run RUN      that run (default: the run of the latest attempt)

Examples:
  campaign logs ml-mapmaking
  campaign logs ml-null-tests.wafer-tests --err --attempt 1
  campaign logs report campaigns/so-mapmaking/campaign.toml --follow`;

export async function logs(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      err: { type: 'boolean' },
      follow: { type: 'boolean', short: 'f' },
      attempt: { type: 'string' },
      run: { type: 'string' },
      'state-dir': { type: 'string' },
      set: { type: 'string', multiple: true },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const task = positionals[0];
  if (!task) throw new UsageError(`logs needs a TASK\n\n${usage}`);
  const file = positionals[1] ?? defaultCampaignFile(values['state-dir']);
  const { tasks, store, paths } = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
  });
  const rec = store.tasks.get(task);
  // A task the campaign no longer lists but whose attempts are recorded (a chunk whose items
  // `skip_complete` now leaves out as done) still has its logs.
  if (!tasks.indexOf.has(task) && !rec) {
    const near = nearest(task, tasks.indexOf.keys());
    throw new UsageError(`no task '${task}' in ${file}${near ? `; did you mean '${near}'?` : ''}`);
  }
  if (!rec || rec.attempt === 0) throw new UsageError(`'${task}' has not run yet`);
  const unfinished = rec.state === 'running' || rec.state === 'queued';
  const run = values.run ?? (unfinished ? (rec.startRun ?? rec.run) : rec.run);
  const attempt = values.attempt !== undefined ? Number(values.attempt) : rec.attempt;
  if (!Number.isInteger(attempt) || attempt < 1) throw new UsageError(`--attempt must be a positive integer`);
  const files = paths.attempt(run, task, attempt);
  const path = values.err ? files.err : files.out;
  if (!existsSync(path))
    throw new UsageError(`no log for '${task}' attempt ${attempt} of run ${run} (${path})`);
  let offset = copy(path, 0);
  if (values.follow) {
    // Until the launcher records the attempt's end, and once more after it to drain.
    while (!existsSync(files.result)) {
      await new Promise((r) => setTimeout(r, 200));
      offset = copy(path, offset);
    }
    copy(path, offset);
  }
  return Exit.ok;
}

/** Writes the file from `offset` to its current end; returns the new offset. */
function copy(path: string, offset: number): number {
  const size = statSync(path).size;
  if (size <= offset) return offset;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    let pos = offset;
    while (pos < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      out(buf.subarray(0, n).toString('utf8'));
      pos += n;
    }
    return pos;
  } finally {
    closeSync(fd);
  }
}
