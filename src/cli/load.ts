import type { LocatedDiagnostic } from '../config/diagnostic.js';
import { type Loaded, loadCampaign } from '../model/load.js';
import { diagnosticsJson, formatDiagnostics } from '../ui/diagnostics.js';
import { Exit, UsageError } from './exit.js';
import { err, out } from './io.js';

export interface LoadArgs {
  file: string;
  set?: string[];
  format?: 'text' | 'json';
  color?: boolean;
  /**
   * Run the `check` of `skip_complete` items whose outputs changed since their last check.
   * `run` passes true; other commands leave it out and use the cached results.
   */
  runChecks?: boolean;
  /** `run --clean-invalid`: delete the outputs of `skip_complete` items whose check fails. */
  removed?: (task: string, files: readonly string[]) => void;
}

/**
 * Loads a campaign for a command; on bad input prints every diagnostic and throws a
 * UsageError (exit 2). Warnings are printed to stderr and loading goes on.
 */
export async function loadOrExit(args: LoadArgs): Promise<Loaded> {
  const result = await loadCampaign(args.file, {
    overrides: args.set ?? [],
    ...(args.runChecks !== undefined ? { runChecks: args.runChecks } : {}),
    ...(args.removed ? { removed: args.removed } : {}),
  });
  if (!result.ok) {
    if (result.fatal) throw new UsageError(result.fatal);
    printDiagnostics(result.diagnostics, args);
    throw new UsageError('', Exit.usage);
  }
  if (result.value.diagnostics.length > 0 && args.format !== 'json')
    printDiagnostics(result.value.diagnostics, args);
  return result.value;
}

/** Diagnostics go to stderr as text, or to stdout as JSON for tools. */
export function printDiagnostics(ds: readonly LocatedDiagnostic[], args: LoadArgs): void {
  if (args.format === 'json') out(diagnosticsJson(ds));
  else err(formatDiagnostics(ds, { color: args.color ?? false }));
}
