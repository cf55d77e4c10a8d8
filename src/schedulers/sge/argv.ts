import type { Group } from './group.js';
import { holdArgs } from './hold.js';
import { directiveArgs, requestArgs, type SiteOptions } from './request.js';

/** Seconds `h_rt` allows for verification inside the job: outputs, and a check (killed at 600 s). */
const OUTPUTS_SECONDS = 60;
const CHECK_SECONDS = 600;
/** The wrapper's own messages, relative to the job's working folder (the sge folder). */
const LOG = 'logs/$JOB_ID.$TASK_ID.log';

/** What the qsub command line of a group needs besides the group. */
export interface ArgvInput {
  readonly name: string;
  /** The sge folder: the job's working folder, where its log goes. */
  readonly dir: string;
  readonly script: string;
  readonly site: SiteOptions;
  /** Seconds a job waits for its upstreams' result lines (part of `h_rt`). */
  readonly resultGrace: number;
  /** The adapter's extra qsub arguments (e.g. `-h`). */
  readonly extra: readonly string[];
}

/**
 * The qsub argv of one group, the script last, and its memory request, or why Grid Engine
 * cannot be asked for it. Every option is on the command line (some versions ignore
 * `-terse` in a script, and `#$` lines lose quotes); no shell reads it.
 */
export function qsubArgv(
  g: Group,
  a: ArgvInput,
): { ok: true; argv: string[]; memory?: string } | { ok: false; message: string } {
  const subs = g.members.map((m) => m.submission);
  // h_rt is beyond the wrapper's own limit by what it may do besides the command.
  const slack =
    (g.wait.kind !== 'none' ? a.resultGrace : 0) +
    (subs.some((s) => (s.verify?.outputs.length ?? 0) > 0) ? OUTPUTS_SECONDS : 0) +
    (subs.some((s) => s.verify?.check !== undefined) ? CHECK_SECONDS : 0);
  const req = requestArgs(g.request, { ...a.site, killGrace: a.site.killGrace + slack });
  if (!req.ok) return req;
  const l = req.args.indexOf('-l');
  const complex = a.site.memoryComplex ?? 'h_vmem';
  const memory = l >= 0 ? req.args[l + 1]!.split(',').find((x) => x.startsWith(`${complex}=`)) : undefined;
  // Grid Engine expands `$VAR` in -wd and in -o: a folder with a `$` gets no log of its own.
  const where = a.dir.includes('$') ? ['-o', '/dev/null', '-j', 'y'] : ['-wd', a.dir, '-o', LOG, '-j', 'y'];
  const argv = [
    '-terse',
    '-N',
    a.name,
    ...where,
    '-S',
    '/bin/sh',
    ...req.args,
    ...(g.array ? ['-t', `1-${g.size}`] : []),
    ...(g.array && g.throttle !== undefined && g.throttle > 0 ? ['-tc', String(g.throttle)] : []),
    ...holdArgs(g.wait),
    ...directiveArgs(g.request.options.directives),
    ...a.extra,
    a.script,
  ];
  return { ok: true, argv, ...(memory ? { memory } : {}) };
}
