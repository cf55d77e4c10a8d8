import { cpSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Rig, repo } from '../rig.js';

/** Copies campaigns/so-mapmaking (its sources, not what runs left) into the rig as `so/`. */
export function copySo(rig: Rig): string {
  const produced = new Set(['out', '.campaign']);
  cpSync(join(repo, 'campaigns', 'so-mapmaking'), rig.path('so'), {
    recursive: true,
    filter: (src) => !produced.has(basename(src)),
  });
  return rig.path('so');
}

/**
 * The seed's file as it is, its placeholder paths (`file:///path/to/...`) pointed at the stand-in
 * data with `--set`, and the name the seed leaves out; the null tests' shared parameters go in
 * their group, as the SO campaign manager's own example puts them.
 */
export function seedSets(dir: string, name = 'so-seed'): string[] {
  const data = join(dir, 'data');
  const sets = [
    `name=${name}`,
    `ml-mapmaking.context=file://${data}/context.yaml`,
    `ml-mapmaking.area=file://${data}/area.fits`,
    'ml-mapmaking.output_dir=out/full',
    `ml-null-tests.context=file://${data}/context.yaml`,
    `ml-null-tests.area=file://${data}/area.fits`,
    'ml-null-tests.output_dir=out/null',
    'ml-null-tests.site=act',
    // The stand-in so-site-pipeline goes first on PATH (on a cluster: module load soconda).
    `defaults.setup=['export PATH="${dir}/bin:$PATH"']`,
  ];
  return sets.flatMap((s) => ['--set', s]);
}

/** The header cards of a FITS file the stand-in wrote. */
export function fitsHeader(file: string): Record<string, string> {
  const text = readFileSync(file).toString('latin1', 0, 2880);
  const out: Record<string, string> = {};
  for (let at = 0; at < text.length; at += 80) {
    const m = /^(\S+)\s*=\s*'?([^']*?)'?\s*$/.exec(text.slice(at, at + 80));
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}
