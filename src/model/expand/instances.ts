import type { NodeSpec } from '../campaign.js';

/** One axis of a fan-out: a matrix list, the zipped lists, the items of a file. */
export interface Axis {
  /** Where the values come from: a list or a range written in the file, zipped lists, records of data. */
  readonly kind: 'list' | 'range' | 'zip' | 'records';
  readonly size: number;
  /** The keys this axis gives values for. */
  readonly keys: readonly string[];
  /** The value of `key` at position j (key is one of `keys`). */
  get(j: number, key: string): unknown;
  /** Where position j came from, when it is an item of a data file. */
  origin?(j: number): string;
}

/**
 * The instances of a fan-out: the product of its axes, the first axis outermost. Values are
 * computed on demand, so a million instances of a matrix cost their ids and nothing more.
 */
export interface Instances {
  readonly count: number;
  readonly keys: readonly string[];
  /** The fanned-out tables whose product these are, outermost first (one, unless nested). */
  readonly scopes: readonly InstanceSet[];
  id(i: number): string;
  /** The value of a key of instance i; undefined when the instance has no such key. */
  get(i: number, key: string): unknown;
  /** All values of instance i, as a fresh record. */
  record(i: number): Record<string, unknown>;
  /** Where instance i came from (a data file's line), for messages. */
  origin(i: number): string | undefined;
  /** The distinct sources of a key's values, for checks that need each value once. */
  columns(key: string): Column[];
}

/** The values one axis gives a key, position by position, with an instance that has each. */
export interface Column {
  readonly kind: Axis['kind'];
  readonly size: number;
  value(j: number): unknown;
  /** The first instance whose value of the key is value(j). */
  instance(j: number): number;
}

/** The instances of one fanned-out table (a node, or a group that fans out its whole chain). */
export class InstanceSet implements Instances {
  readonly count: number;
  readonly keys: readonly string[];
  readonly scopes: readonly InstanceSet[] = [this];
  private readonly owner = new Map<string, number>();
  private readonly strides: number[];

  constructor(
    /** The table that declares the fan-out. */
    readonly table: NodeSpec,
    readonly axes: readonly Axis[],
    private readonly ids: readonly string[],
  ) {
    let count = 1;
    const strides: number[] = new Array(axes.length);
    for (let a = axes.length - 1; a >= 0; a--) {
      strides[a] = count;
      count *= axes[a]!.size;
    }
    this.count = axes.length === 0 ? 0 : count;
    this.strides = strides;
    const keys: string[] = [];
    axes.forEach((axis, a) => {
      for (const k of axis.keys) {
        if (this.owner.has(k)) continue;
        this.owner.set(k, a);
        keys.push(k);
      }
    });
    this.keys = keys;
  }

  id(i: number): string {
    return this.ids[i]!;
  }

  /** Position of instance i along axis a. */
  position(i: number, a: number): number {
    return Math.floor(i / this.strides[a]!) % this.axes[a]!.size;
  }

  get(i: number, key: string): unknown {
    const a = this.owner.get(key);
    if (a === undefined) return undefined;
    return this.axes[a]!.get(this.position(i, a), key);
  }

  record(i: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of this.keys) {
      const v = this.get(i, k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  columns(key: string): Column[] {
    const a = this.owner.get(key);
    if (a === undefined) return [];
    const axis = this.axes[a]!;
    const stride = this.strides[a]!;
    return [
      { kind: axis.kind, size: axis.size, value: (j) => axis.get(j, key), instance: (j) => j * stride },
    ];
  }

  origin(i: number): string | undefined {
    for (let a = 0; a < this.axes.length; a++) {
      const axis = this.axes[a]!;
      if (axis.origin) return axis.origin(this.position(i, a));
    }
    return undefined;
  }
}

/** Nested fan-outs: a fanned-out node inside a fanned-out group runs for every pair. */
export class ProductSet implements Instances {
  readonly count: number;
  readonly keys: readonly string[];
  private readonly strides: number[];

  constructor(readonly scopes: readonly InstanceSet[]) {
    let count = 1;
    const strides: number[] = new Array(scopes.length);
    for (let s = scopes.length - 1; s >= 0; s--) {
      strides[s] = count;
      count *= scopes[s]!.count;
    }
    this.count = count;
    this.strides = strides;
    this.keys = [...new Set(scopes.flatMap((s) => s.keys))];
  }

  private part(i: number, s: number): number {
    return Math.floor(i / this.strides[s]!) % this.scopes[s]!.count;
  }

  id(i: number): string {
    let out = '';
    for (let s = 0; s < this.scopes.length; s++)
      out += (s > 0 ? '.' : '') + this.scopes[s]!.id(this.part(i, s));
    return out;
  }

  get(i: number, key: string): unknown {
    // The innermost fan-out wins, like settings closest to the node.
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const v = this.scopes[s]!.get(this.part(i, s), key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  record(i: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let s = 0; s < this.scopes.length; s++) Object.assign(out, this.scopes[s]!.record(this.part(i, s)));
    return out;
  }

  columns(key: string): Column[] {
    return this.scopes.flatMap((scope, s) =>
      scope.columns(key).map((c) => ({ ...c, instance: (j: number) => c.instance(j) * this.strides[s]! })),
    );
  }

  origin(i: number): string | undefined {
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const o = this.scopes[s]!.origin(this.part(i, s));
      if (o) return o;
    }
    return undefined;
  }
}

/** A matrix list or range: one key. */
export function listAxis(key: string, values: ArrayLike<unknown>): Axis {
  return { kind: 'list', size: values.length, keys: [key], get: (j) => values[j] };
}

/** An inclusive integer range `from..to`, never materialized. */
export function rangeAxis(key: string, from: number, to: number): Axis {
  return { kind: 'range', size: to - from + 1, keys: [key], get: (j) => from + j };
}

/** Lists of equal length taken index by index. */
export function zipAxis(columns: ReadonlyMap<string, ArrayLike<unknown>>): Axis {
  const first = columns.values().next().value;
  return {
    kind: 'zip',
    size: first ? first.length : 0,
    keys: [...columns.keys()],
    get: (j, key) => columns.get(key)?.[j],
  };
}

/** Records (data-file items, or instances a workflow type made), with their origins. */
export function recordAxis(
  records: readonly Readonly<Record<string, unknown>>[],
  keys: readonly string[],
  origin?: (j: number) => string,
): Axis {
  return {
    kind: 'records',
    size: records.length,
    keys,
    get: (j, key) => {
      const r = records[j]!;
      return Object.hasOwn(r, key) ? r[key] : undefined;
    },
    ...(origin ? { origin } : {}),
  };
}
