import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { counts, waitFor } from '../engine/helpers.js';
import type { Rig } from '../rig.js';
import type { SbatchWrapper } from '../slurm/helpers.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same kill moments. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * When a head is killed: `ms` after it started; once the journals hold `n` more hand-over
 * records (`q`: written before the hand-over, so the kill falls between the journal and the
 * scheduler); once `n` more sbatch calls started (Slurm does not have the job yet) or were
 * answered by Slurm (the head has not heard yet).
 */
export type Moment =
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'journal'; readonly n: number }
  | { readonly kind: 'sbatch-start' | 'sbatch-submitted'; readonly n: number };

export const describeMoment = (m: Moment) => (m.kind === 'time' ? `${m.ms} ms` : `${m.kind} +${m.n}`);

/**
 * New hand-over records in all journals of the rig's campaign: `q` lines without a job id
 * (written before the hand-over) and without `r0` (not an adopted attempt announced again).
 */
export function handOvers(rig: Rig): number {
  let n = 0;
  for (const j of journals(rig)) {
    for (const l of readFileSync(j, 'utf8').split('\n'))
      if (l.includes('"k":"q"') && !l.includes('"j":') && !l.includes('"r0":')) n++;
  }
  return n;
}

/** Every run's journal, oldest run first, wherever below `.campaign` the state directory is. */
function journals(rig: Rig): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 3 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (e.name === 'runs') {
        for (const r of readdirSync(p)) {
          const j = join(p, r, 'journal.jsonl');
          if (existsSync(j)) found.push(j);
        }
      } else walk(p, depth + 1);
    }
  };
  walk(rig.path('.campaign'), 0);
  // Run ids end in their run number: `..._run007`.
  const num = (j: string) => Number(/_run(\d+)\//.exec(j)?.[1] ?? 0);
  return found.sort((a, b) => num(a) - num(b));
}

/** What happened to one head. */
export interface HeadLog {
  readonly moment: string;
  /** `killed` (at its moment, or at the fallback time), or how the head ended by itself. */
  readonly fate: string;
}

/**
 * Starts `campaign ARGS` once per moment and kills it with SIGKILL at that moment; a head
 * that ends by itself first ends the series (the campaign completed, or failed). Then runs
 * the campaign to its end (at most `finals` more runs). Returns what happened to each head.
 */
export async function killAndResume(
  rig: Rig,
  args: readonly string[],
  moments: readonly Moment[],
  opts: {
    env?: (k: number) => Record<string, string>;
    sbatch?: SbatchWrapper;
    /** A head whose moment has not come after this long is killed all the same (default 30 s). */
    fallbackMs?: number;
    finals?: number;
  } = {},
): Promise<{ heads: HeadLog[]; last: ReturnType<Rig['run']> }> {
  const heads: HeadLog[] = [];
  for (const [k, m] of moments.entries()) {
    const base = {
      journal: handOvers(rig),
      start: opts.sbatch?.count('start') ?? 0,
      submitted: opts.sbatch?.count('submitted') ?? 0,
    };
    const head = rig.start([...args], { env: opts.env?.(k) ?? {} });
    let ended: number | null | undefined;
    let said = '';
    void head.done.then((r) => {
      ended = r.code;
      // What a head that ended badly said about it: its failures and its errors.
      said = [...r.stdout.split('\n').filter((l) => /failed|skipped|lost/.test(l)), r.stderr.trim()]
        .filter(Boolean)
        .join(' | ');
    });
    const t0 = Date.now();
    const due = (): boolean => {
      switch (m.kind) {
        case 'time':
          return Date.now() - t0 >= m.ms;
        case 'journal':
          return handOvers(rig) >= base.journal + m.n;
        case 'sbatch-start':
          return (opts.sbatch?.count('start') ?? 0) >= base.start + m.n;
        case 'sbatch-submitted':
          return (opts.sbatch?.count('submitted') ?? 0) >= base.submitted + m.n;
      }
    };
    let missed = false;
    const fallback = opts.fallbackMs ?? 30_000;
    await waitFor(() => ended !== undefined || due(), fallback).catch(() => (missed = true));
    if (ended !== undefined) {
      const fate = `ended by itself (exit ${ended}${ended === 0 ? '' : `: ${said}`})`;
      heads.push({ moment: describeMoment(m), fate });
      break;
    }
    head.child.kill('SIGKILL');
    await head.done;
    heads.push({
      moment: describeMoment(m),
      fate: missed ? `killed (moment missed) at ${fallback} ms` : 'killed',
    });
  }
  let last = rig.run([...args], { timeout: 240_000 });
  for (let i = 1; i < (opts.finals ?? 3) && last.code !== 0; i++)
    last = rig.run([...args], { timeout: 240_000 });
  return { heads, last };
}

/** The counter name of a task id: `gen[2]` ran as `gen-2` (see the campaigns of the suite). */
const counterOf = (id: string) => id.replace(/\[(\d+)\]$/, '-$1');

/**
 * Everything a person needs to reproduce a violation: the seed, each head's kill moment and
 * fate, and for every task that did not run exactly once, its counter and its journal lines.
 */
export function report(
  rig: Rig,
  seed: number,
  heads: readonly HeadLog[],
  expected: readonly string[],
): string {
  const seen = counts(rig);
  const wrong = expected.filter((t) => (seen[t] ?? 0) !== 1);
  const lines = [
    `seed ${seed}; heads: ${heads.map((h, i) => `#${i + 1} at ${h.moment}: ${h.fate}`).join('; ')}`,
  ];
  for (const t of wrong) {
    lines.push(`task ${t} ran ${seen[t] ?? 0} times; its journal lines:`);
    for (const j of journals(rig)) {
      for (const l of readFileSync(j, 'utf8').split('\n')) {
        const id = /"id":"([^"]*)"/.exec(l)?.[1];
        if (id !== undefined && counterOf(id) === t)
          lines.push(`  ${j.split('/').slice(-2).join('/')}: ${l}`);
      }
    }
  }
  return lines.join('\n');
}
