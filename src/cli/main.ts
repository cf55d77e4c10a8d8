#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { cancel, usage as cancelUsage } from './commands/cancel.js';
import { cluster, usage as clusterUsage } from './commands/cluster.js';
import { collect, usage as collectUsage } from './commands/collect.js';
import { completion, usage as completionUsage } from './commands/completion.js';
import { expand, usage as expandUsage } from './commands/expand.js';
import { graph, usage as graphUsage } from './commands/graph.js';
import { history, usage as historyUsage } from './commands/history.js';
import { logs, usage as logsUsage } from './commands/logs.js';
import { plan, usage as planUsage } from './commands/plan.js';
import { report, usage as reportUsage } from './commands/report.js';
import { run, usage as runUsage } from './commands/run.js';
import { runs, usage as runsUsage } from './commands/runs.js';
import { status, usage as statusUsage } from './commands/status.js';
import { trace, usage as traceUsage } from './commands/trace.js';
import { validate, usage as validateUsage } from './commands/validate.js';
import { watch, usage as watchUsage } from './commands/watch.js';
import { asIoFailure, CliFailure, Exit, UsageError } from './exit.js';
import { err, out } from './io.js';

type Command = (argv: string[]) => number | Promise<number>;

const commands: Record<string, { run: Command; summary: string; usage: string }> = {
  validate: { run: validate, summary: 'check campaign files and report every problem', usage: validateUsage },
  plan: {
    run: plan,
    summary: 'show the campaign tree, dependencies, commands and resources',
    usage: planUsage,
  },
  cluster: {
    run: cluster,
    summary: 'probe the scheduler and write a cluster description',
    usage: clusterUsage,
  },
  graph: { run: graph, summary: 'print the DAG as dot, mermaid or json', usage: graphUsage },
  expand: {
    run: expand,
    summary: 'show fan-out instances, their ids and rejected items',
    usage: expandUsage,
  },
  run: { run, summary: 'run the campaign, resuming what an earlier run left', usage: runUsage },
  status: { run: status, summary: 'show tasks by state, per subcampaign', usage: statusUsage },
  runs: { run: runs, summary: 'list the runs of a campaign and how they ended', usage: runsUsage },
  collect: {
    run: collect,
    summary: "re-assemble a node's outputs of every completed run into one dataset",
    usage: collectUsage,
  },
  history: {
    run: history,
    summary: 'the audit history: every run, retry and force, who, where, when and why',
    usage: historyUsage,
  },
  logs: { run: logs, summary: "print a task's output", usage: logsUsage },
  watch: { run: watch, summary: 'attach the live view to a run started elsewhere', usage: watchUsage },
  cancel: { run: cancel, summary: 'stop the running campaign', usage: cancelUsage },
  report: {
    run: report,
    summary: 'write an HTML report of a run: timeline, resources, retries, failures',
    usage: reportUsage,
  },
  trace: {
    run: trace,
    summary: 'print one row per attempt of a run (tsv, csv or json)',
    usage: traceUsage,
  },
  completion: {
    run: (argv) => completion(argv, commands),
    summary: 'print a shell completion script (bash, zsh, fish)',
    usage: completionUsage,
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const list = Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return `campaign ${version()}: a declarative campaign manager for batch and HPC computing

Usage: campaign COMMAND [options]

Commands:
${list}

Run 'campaign COMMAND --help' for a command's options and examples.
Exit codes: 0 ok, 1 tasks failed, 2 bad input or usage, 3 locked by another run, 130 interrupted.
`;
}

// React's development build keeps a performance entry per update; the dashboard wants production.
process.env.NODE_ENV ??= 'production';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(help());
    return name === undefined ? Exit.usage : Exit.ok;
  }
  if (name === '--version' || name === '-V') {
    out(`${version()}\n`);
    return Exit.ok;
  }
  const command = commands[name];
  if (!command) {
    throw new UsageError(`unknown command '${name}'\n\n${help()}`);
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const failure = e instanceof CliFailure ? e : asIoFailure(e);
    if (failure) {
      // usage: exit 2 (the message may be empty: the diagnostics are printed already);
      // locked: exit 3; io: the path and the system's reason, exit 1.
      if (failure.message) err(`campaign: ${failure.message}\n`);
      process.exitCode = failure.exitCode;
      return;
    }
    // A bug: say so plainly; the stack only on request.
    err(`campaign: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.CAMPAIGN_DEBUG && e instanceof Error) err(`${e.stack}\n`);
    process.exitCode = Exit.internal;
  },
);
