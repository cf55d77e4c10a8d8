// The main script of the standalone executable (scripts/sea.mjs). It writes the bundle that
// the executable carries into a cache folder named by the bundle's hash, once, and imports it
// through a module loaded from disk: on Node 20 an application's own script can neither
// import an ES module nor require anything but Node's built-in modules.
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir, tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { getAsset } = require('node:sea');

const bundle = getAsset('campaign.mjs', 'utf8');
const key = `sea-${createHash('sha256').update(bundle).digest('hex').slice(0, 12)}`;
const files = {
  'campaign.mjs': bundle,
  'load.cjs': 'module.exports = (url) => import(url);\n',
};

function place(dir) {
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  return dir;
}

function extracted() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  const places = [
    join(cache, 'campaign', key),
    join(dirname(process.execPath), '.campaign-cache', key),
    join(tmpdir(), `campaign-${uid}`, key),
  ];
  for (const dir of places) {
    try {
      return place(dir);
    } catch {
      // not writable: the next place
    }
  }
  process.stderr.write('campaign: no writable folder to unpack into (set XDG_CACHE_HOME)\n');
  process.exit(2);
}

/**
 * Inside a batch job the generated script checks outputs with `NODE --jitless VERIFIER ...`,
 * NODE being the head's executable: this one. That call runs the verifier the bundle wrote.
 */
function verifierCall(argv) {
  let i = 0;
  while (argv[i]?.startsWith('--')) i++;
  const script = argv[i];
  if (!script?.startsWith('/') || !script.endsWith('/dist/schedulers/slurm/verify-outputs.js')) return undefined;
  return { script, args: argv.slice(i + 1) };
}

const verifier = verifierCall(process.argv.slice(2));
const dir = extracted();
const load = createRequire(join(dir, 'load.cjs'))(join(dir, 'load.cjs'));
if (verifier) process.argv = [process.execPath, verifier.script, ...verifier.args];
load(pathToFileURL(verifier ? verifier.script : join(dir, 'campaign.mjs')).href).catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(70);
});
