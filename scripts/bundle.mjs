#!/usr/bin/env node
// Bundles the CLI and all its dependencies into one file, dist/campaign.mjs, that runs with
// `node campaign.mjs ...` on Node 20+ with nothing else installed (a cluster login node).
//
// The package reads a few files beside its modules through `import.meta.url`. In the bundle:
// - files read as text at load (the schema, package.json) are inlined as string literals;
// - files used by path (the task launchers, the in-job output verifier) are embedded and
//   written on first use into a cache folder laid out like the package
//   ($XDG_CACHE_HOME/campaign/<version>-<hash>/, else next to the bundle, else the temp
//   folder), where the C launcher is also compiled when a C compiler exists. Without one the
//   POSIX sh launcher is used, as in an install without a compiler.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outfile = resolve(process.argv[2] ?? join(root, 'dist/campaign.mjs'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __campaignRequire } from 'node:module';\nconst require = __campaignRequire(import.meta.url);",
  },
};

// The in-job output verifier (run by `node` inside Slurm and Grid Engine jobs) as its own file.
const verifier = await build({
  ...common,
  entryPoints: [join(root, 'src/schedulers/slurm/verify-outputs.ts')],
  write: false,
  minify: true,
});

/** Package-relative path → [file text, file mode]: what the cache folder holds. */
const files = {
  'package.json': [`${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module' })}\n`, 0o644],
  'native/campaign-exec.sh': [readFileSync(join(root, 'native/campaign-exec.sh'), 'utf8'), 0o755],
  'native/campaign-exec.c': [readFileSync(join(root, 'native/campaign-exec.c'), 'utf8'), 0o644],
  'dist/schedulers/slurm/verify-outputs.js': [verifier.outputFiles[0].text, 0o644],
};
const hash = createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 12);

/** Text inlined where a module reads a file at load: a package.json cut to what is read. */
function inlined(path) {
  if (!path.endsWith('/package.json')) return readFileSync(path, 'utf8');
  const { name, version } = JSON.parse(readFileSync(path, 'utf8'));
  return JSON.stringify({ name, version });
}

const READ = /(?:\b[\w$]+\.)?readFileSync\(\s*new URL\(\s*'([^']+)'\s*,\s*import\.meta\.url\s*\)\s*,\s*'utf8'\s*,?\s*\)/g;
const URL_OF = /new URL\(\s*'([^']+)'\s*,\s*import\.meta\.url\s*\)/g;

/** Rewrites a module's uses of `import.meta.url` to the inlined texts and the cache folder. */
const assets = {
  name: 'campaign-assets',
  setup(b) {
    // esbuild matches file names case-insensitively when it maps `x.js` to a TypeScript file
    // (ui/dashboard has tree.ts and Tree.tsx); the sources' own imports are resolved exactly.
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      if (!/[\\/]src[\\/]/.test(args.importer)) return undefined;
      const base = resolve(args.resolveDir, args.path.slice(0, -3));
      const path = ['.ts', '.tsx', '.js'].map((ext) => base + ext).find((p) => existsSync(p));
      return path ? { path } : undefined;
    });
    // Ink loads the React devtools only when DEV=true; the bundle carries none and says so
    // the way Ink does when they are not installed.
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      /[\\/]ink[\\/]/.test(args.importer) ? { path: 'devtools', namespace: 'campaign-bundle' } : undefined,
    );
    b.onResolve({ filter: /^campaign-bundle:assets$/ }, () => ({ path: 'assets', namespace: 'campaign-bundle' }));
    b.onLoad({ filter: /.*/, namespace: 'campaign-bundle' }, (args) => ({
      contents:
        args.path === 'devtools'
          ? "throw Object.assign(new Error('react-devtools-core is not in the bundle'), { code: 'ERR_MODULE_NOT_FOUND' });"
          : runtime(),
      loader: 'js',
      resolveDir: root,
    }));
    // Dependencies that read a file of their own at load (Ink its package.json, under DEV=true).
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const here = dirname(args.path);
      const text = source.replace(READ, (_, rel) => JSON.stringify(inlined(resolve(here, rel))));
      return text === source ? undefined : { contents: text, loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, (args) => {
      const loader = args.path.endsWith('.tsx') ? 'tsx' : 'ts';
      // The entry's hashbang is dropped: the bundle's banner has its own.
      const source = readFileSync(args.path, 'utf8').replace(/^#!.*\n/, '');
      if (!source.includes('import.meta.url')) return { contents: source, loader };
      const here = dirname(args.path);
      let text = source.replace(READ, (_, rel) => JSON.stringify(inlined(resolve(here, rel))));
      text = text.replace(URL_OF, (_, rel) => {
        let inPackage = relative(root, resolve(here, rel)).split('\\').join('/');
        if (rel.endsWith('/') && inPackage !== '') inPackage += '/';
        if (inPackage !== '' && !inPackage.endsWith('/') && !(inPackage in files)) {
          throw new Error(`${relative(root, args.path)} uses ${rel}, which the bundle does not carry`);
        }
        return `__campaignAsset(${JSON.stringify(inPackage)})`;
      });
      // What is left is the module's own URL: where it would be in the package.
      const self = relative(root, args.path).replace(/^src\//, 'dist/').replace(/\.tsx?$/, '.js');
      text = text.replaceAll('import.meta.url', `__campaignAsset(${JSON.stringify(self)}).href`);
      return {
        contents: `import { assetURL as __campaignAsset } from 'campaign-bundle:assets';\n${text}`,
        loader,
      };
    });
  },
};

/** The module that writes the cache folder on first use and answers the URLs in it. */
function runtime() {
  return `
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FILES = ${JSON.stringify(files)};
const KEY = ${JSON.stringify(`${pkg.version}-${hash}`)};
let root;

/** A package file's URL in the cache folder, which is written on the first call. */
export function assetURL(path) {
  root ??= materialize();
  return pathToFileURL(join(root, path) + (path === '' || path.endsWith('/') ? '/' : ''));
}

function candidates() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return [
    join(cache, 'campaign', KEY),
    join(dirname(fileURLToPath(import.meta.url)), '.campaign-cache', KEY),
    join(tmpdir(), 'campaign-' + uid, KEY),
  ];
}

function materialize() {
  for (const dir of candidates()) {
    try {
      for (const [path, [text, mode]] of Object.entries(FILES)) place(join(dir, path), text, mode);
      compile(dir);
      return dir;
    } catch {
      // not writable: the next place
    }
  }
  throw new Error('campaign: no writable folder for the task launcher (set XDG_CACHE_HOME)');
}

/** Writes a file unless it is there with the same text; aside and renamed, never half-written. */
function place(path, text, mode) {
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {}
  mkdirSync(dirname(path), { recursive: true });
  const tmp = path + '.' + process.pid + '.tmp';
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** The C launcher, built once per cache folder when a C compiler is on PATH. */
function compile(dir) {
  const out = join(dir, 'libexec/campaign-exec');
  if (existsSync(out)) return;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = out + '.' + process.pid + '.tmp';
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    try {
      execFileSync(cc, ['-O2', '-Wall', '-o', tmp, join(dir, 'native/campaign-exec.c')], { stdio: 'ignore' });
      renameSync(tmp, out);
      return;
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}
`;
}

await build({
  ...common,
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile,
  plugins: [assets],
  minify: true,
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
});
console.log(`${relative(process.cwd(), outfile)}: ${(statSync(outfile).size / 1e6).toFixed(1)} MB`);
