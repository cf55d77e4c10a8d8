import type { EventSink } from '../../exec/events.js';
import { JournalFollower } from '../../state/follow.js';
import { Lock } from '../../state/lock.js';
import { openCampaign } from '../context.js';
import { Exit, UsageError } from '../exit.js';
import { batched, out } from '../io.js';
import { defaultCampaignFile } from '../locate-file.js';
import { campaignOptions, oneOf, parse } from '../options.js';
import { openView } from '../view.js';
import { run } from './run.js';

export const usage = `Usage: campaign watch [FILE] [--ui dashboard|plain|json] [--state-dir DIR]

Attaches the live view to the campaign's run. With a run going (in another shell), the view
follows its journal; it changes nothing but can cancel the run. With no head (a detached
cluster run, or one whose head crashed), watch picks the work up: it reattaches to the
running jobs, collects what ended, applies retries, and hands over what is left, like
'campaign run'. With nothing left to do, it shows how the latest run ended.

Examples:
  campaign watch campaigns/so-mapmaking/campaign.toml
  campaign watch --ui plain`;

export async function watch(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...campaignOptions, ui: { type: 'string' }, 'state-dir': { type: 'string' } },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const ui =
    values.ui === undefined
      ? undefined
      : oneOf('ui', values.ui, ['dashboard', 'plain', 'json'] as const, 'plain');
  const file = positionals[0] ?? defaultCampaignFile(values['state-dir']);
  const ctx = await openCampaign(file, { set: values.set ?? [], stateDir: values['state-dir'] });
  const { paths, store, tasks, loaded } = ctx;
  const holder = Lock.read(paths.lock);
  const live = holder && !Lock.isStale(paths.lock, holder) ? holder : undefined;

  if (!live) {
    const unfinished = tasks.tasks.some((t) => {
      const s = store.tasks.get(t.id)?.state;
      return s === 'queued' || s === 'running';
    });
    if (unfinished) {
      // Nobody is watching the work: become its head.
      return run([file, ...passThrough(values)]);
    }
  }
  const runs = store.runIds();
  const runId = live?.runId ?? runs[runs.length - 1];
  if (!runId) throw new UsageError(`${file} has not run yet`);

  const follower = new JournalFollower(paths, runId, tasks, loaded.campaign.scheduler.type);
  const stdout = batched(out);
  const view = await openView({
    ui,
    file,
    stdout,
    canDetach: true,
    onCancel: () => {
      if (live) process.kill(live.pid, 'SIGTERM');
    },
  });
  const sinks: EventSink[] = [view.sink];
  let interrupted = false;
  const stop = () => {
    interrupted = true;
  };
  process.on('SIGINT', stop);
  try {
    for (;;) {
      for (const e of follower.poll()) for (const s of sinks) s.handle(e);
      if (follower.finished || interrupted || view.left()) break;
      if (!live && !follower.finished) {
        // A run that ended without its end record (the head died): nothing more will come.
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    process.off('SIGINT', stop);
    for (const s of sinks) await s.close?.();
    stdout.flush();
  }
  return interrupted ? Exit.interrupted : Exit.ok;
}

function passThrough(values: {
  set?: string[] | undefined;
  ui?: string | undefined;
  'state-dir'?: string | undefined;
}): string[] {
  return [
    ...(values.set ?? []).flatMap((s) => ['--set', s]),
    ...(values.ui ? ['--ui', values.ui] : []),
    ...(values['state-dir'] ? ['--state-dir', values['state-dir']] : []),
  ];
}
