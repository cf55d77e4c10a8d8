// What the stand-ins of the WEPPcloud steps share: their options, the run's NoDb files, the
// time a step takes, and failing on request.
//
//   WEPP_TASK_SECONDS  how long each step works, in seconds (default 0.5)
//   WEPP_FAIL          steps that fail, comma-separated: `wepp` (every run) or
//                      `wepp@lochsa-river-17` (one run id)
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** `--name value` pairs of the command line. */
export function options(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    out[argv[i].slice(2)] = argv[i + 1];
    i++;
  }
  return out;
}

/** Stops the step with a message on stderr and exit 1, as a WEPPcloud controller raises. */
export function fail(step, message) {
  console.error(`${step}: ${message}`);
  process.exit(1);
}

/** A NoDb singleton of the run (`landuse.nodb`): its state, which must belong to this folder. */
export function nodb(step, name) {
  const file = `${name}.nodb`;
  if (!existsSync(file)) fail(step, `${file} is missing in ${process.cwd()}: the run was not cloned from _base`);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  if (doc['py/state'].wd !== process.cwd())
    fail(step, `${file} belongs to ${doc['py/state'].wd}, not to ${process.cwd()}`);
  return doc['py/state'];
}

/** Writes a NoDb singleton back with more state. */
export function saveNodb(name, state) {
  const file = `${name}.nodb`;
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc['py/state'] = { ...doc['py/state'], ...state };
  write(file, `${JSON.stringify(doc, null, 2)}\n`);
}

/** The outputs of the step before, which this one needs. */
export function need(step, ...files) {
  for (const f of files) if (!existsSync(f)) fail(step, `needs ${f}, which is not in ${process.cwd()}`);
}

/** Writes a file whole (beside, then renamed), creating its folder. */
export function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** The step's work: it takes its time, and fails when WEPP_FAIL names it for this run. */
export async function work(step, runid) {
  const seconds = Number(process.env.WEPP_TASK_SECONDS ?? '0.5');
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const asked = (process.env.WEPP_FAIL ?? '').split(',').filter(Boolean);
  if (asked.includes(step) || asked.includes(`${step}@${runid}`))
    fail(step, `${runid}: ${step} exited with status 1 (asked by WEPP_FAIL=${process.env.WEPP_FAIL})`);
}
