import { pathToFileURL } from 'node:url';
import { missingOutputs } from '../../model/outputs.js';
import { encodeMissing } from '../launcher/result.js';

/**
 * Run inside a batch job by the generated script, after the command exited 0:
 * `node verify-outputs.js WORKDIR PATTERN...`. The same code as the engine's (and the
 * planner's) check, so a job and the next run never disagree on whether an output exists.
 * Exit 0: every pattern matches; `MISSING_EXIT`: the missing ones on stdout, each
 * URI-encoded (no spaces or line breaks, so they fit in the result line), joined by commas.
 * Any other exit (node or the package is not visible from the node) leaves it to the head.
 */
export const MISSING_EXIT = 10;

function main(argv: readonly string[]): void {
  const [workdir = '.', ...outputs] = argv;
  const missing = missingOutputs(workdir, outputs);
  if (missing.length === 0) return;
  process.stdout.write(`${encodeMissing(missing)}\n`);
  process.exitCode = MISSING_EXIT;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
