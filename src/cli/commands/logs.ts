import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { openCampaign } from '../context.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, parse, runOption, stateDirOption } from '../options.js';
import { oneTask } from '../task-names.js';

export const usage = `Usage: campaign logs TASK [FILE] [--err] [--follow] [--attempt N] [--run RUN]

Prints a task's output from its latest attempt (or the one given). TASK names one task as
--only does: its id, its node's path or bare name ('wafer-tests'), or with an instance
('wepp[huc-1201]', 'watershed.wepp[huc-1201]'). Without FILE, the campaign of the latest
run here, or ./campaign.toml.

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
      ...campaignOptions,
      ...stateDirOption,
      ...runOption,
      err: { type: 'boolean' },
      follow: { type: 'boolean', short: 'f' },
      attempt: { type: 'string' },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const name = positionals[0];
  if (!name || positionals.length > 2)
    throw new UsageError(`logs needs a TASK, and at most one FILE\n\n${usage}`);
  const file = campaignFile(positionals[1], values['state-dir']);
  const { tasks, store, paths } = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
  });
  // Named as --only names tasks; a task the campaign no longer lists but whose attempts are
  // recorded (a chunk whose items `skip_complete` now leaves out as done) still has its logs.
  const named = oneTask(tasks, store, name);
  if (!named.ok)
    throw new UsageError(named.message.replace(/^no task matches ('[^']*')/, `no task $1 in ${file}`));
  const task = named.id;
  const rec = store.tasks.get(task);
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
