import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Campaign } from '../campaign.js';

/** One item's last check: the identity of the files it looked at, and whether it passed. */
type Entry = readonly [identity: string, passed: boolean];

interface CacheFile {
  readonly version: 1;
  readonly nodes: Record<string, Record<string, Entry>>;
}

/**
 * The results of `skip_complete` checks, kept in `<state dir>/.checks.json`, so that an output
 * that has not changed is not checked again. An output is the same when its size, modification
 * time and inode are. The file is only a cache: one that cannot be read or parsed is ignored,
 * one that cannot be written is not written.
 */
export class CheckCache {
  private readonly nodes: Record<string, Record<string, Entry>>;
  /** Per node evaluated in this load: the entries it used or made (the rest are dropped on save). */
  private readonly touched = new Map<string, Record<string, Entry>>();
  private changed = false;

  private constructor(
    readonly file: string,
    nodes: Record<string, Record<string, Entry>>,
  ) {
    this.nodes = nodes;
  }

  /** The cache of a campaign: in its `state_dir`, else in `.campaign` beside the file. */
  static of(campaign: Campaign): CheckCache {
    const dir = campaign.stateDir
      ? isAbsolute(campaign.stateDir)
        ? campaign.stateDir
        : resolve(campaign.dir, campaign.stateDir)
      : join(campaign.dir, '.campaign');
    const file = join(dir, '.checks.json');
    return new CheckCache(file, read(file));
  }

  /** The recorded result of the check `key` on files of this identity, if there is one. */
  lookup(node: string, key: string, identity: string): boolean | undefined {
    const entry = this.nodes[node]?.[key];
    if (!entry || entry[0] !== identity) return undefined;
    this.keep(node, key, entry);
    return entry[1];
  }

  record(node: string, key: string, identity: string, passed: boolean): void {
    this.keep(node, key, [identity, passed]);
    this.changed = true;
  }

  /** Writes the cache if a check ran, atomically (a reader never sees half a file). */
  save(): void {
    if (!this.changed) return;
    const nodes: Record<string, Record<string, Entry>> = Object.assign(Object.create(null), this.nodes);
    for (const [node, entries] of this.touched) nodes[node] = entries;
    const data: CacheFile = { version: 1, nodes };
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(data));
      renameSync(tmp, this.file);
      this.changed = false;
    } catch {
      // A cache that cannot be written costs the checks again next time, nothing more.
    }
  }

  private keep(node: string, key: string, entry: Entry): void {
    let entries = this.touched.get(node);
    if (!entries) {
      entries = Object.create(null) as Record<string, Entry>;
      this.touched.set(node, entries);
    }
    entries[key] = entry;
  }
}

/** What identifies one item's check: the command and where and how it runs. */
export function checkKey(
  command: string | readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): string {
  return hash(JSON.stringify([command, cwd, env]));
}

/** The identity of files: path, size, modification time (ns) and inode of each. */
export function filesIdentity(files: readonly string[]): string | undefined {
  let text = '';
  for (const f of files) {
    try {
      const s = statSync(f, { bigint: true });
      text += `${f}\u0000${s.size}\u0000${s.mtimeNs}\u0000${s.ino}\u0001`;
    } catch {
      return undefined;
    }
  }
  return hash(text);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

function read(file: string): Record<string, Record<string, Entry>> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
    if (data?.version !== 1 || typeof data.nodes !== 'object' || data.nodes === null)
      return Object.create(null);
    // Without a prototype: node ids are keys of the user's file, `__proto__` included.
    const nodes: Record<string, Record<string, Entry>> = Object.create(null);
    for (const [node, entries] of Object.entries(data.nodes)) {
      if (typeof entries !== 'object' || entries === null) continue;
      const ok: Record<string, Entry> = Object.create(null);
      for (const [k, e] of Object.entries(entries))
        if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'boolean') ok[k] = [e[0], e[1]];
      nodes[node] = ok;
    }
    return nodes;
  } catch {
    return Object.create(null);
  }
}
