import type { Campaign, NodeSpec } from '../model/campaign.js';
import type { TaskSpec } from '../model/tasks.js';

/** A `max_parallel` bound: at most `max` attempts under `key` (a node or group id) at once. */
interface Limit {
  readonly key: string;
  readonly max: number;
}

/**
 * `max_parallel` of nodes and of groups (which bounds their tasks together), counted over the
 * attempts under way.
 */
export class Limits {
  private readonly count = new Map<string, number>();
  private readonly of = new Map<string, readonly Limit[]>();

  constructor(private readonly campaign: Campaign) {}

  /** Counts (+1) or uncounts (-1) an attempt of t. */
  take(t: TaskSpec, sign: 1 | -1): void {
    for (const l of this.limits(t)) this.count.set(l.key, (this.count.get(l.key) ?? 0) + sign);
  }

  /**
   * Whether one more attempt of t would exceed a bound. `groupsOnly`: the node's own bound is
   * the scheduler's to keep (`%N` on its array), its groups' are the engine's.
   */
  full(t: TaskSpec, groupsOnly: boolean): boolean {
    for (const l of this.limits(t)) {
      if (groupsOnly && l.key === t.node.id) continue;
      if ((this.count.get(l.key) ?? 0) >= l.max) return true;
    }
    return false;
  }

  private limits(t: TaskSpec): readonly Limit[] {
    let ls = this.of.get(t.node.id);
    if (!ls) {
      const found: Limit[] = [];
      const { nodes } = this.campaign;
      for (let n: NodeSpec | undefined = t.node; n; n = n.parent ? nodes.get(n.parent) : undefined) {
        if (n.maxParallel !== undefined) found.push({ key: n.id, max: n.maxParallel });
      }
      ls = found;
      this.of.set(t.node.id, ls);
    }
    return ls;
  }
}
