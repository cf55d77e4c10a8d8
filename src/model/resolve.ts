import { type Diagnostic, diag } from '../config/diagnostic.js';
import { nearest } from '../config/suggest.js';
import { type Campaign, type DepRef, type NodeSpec, refPath } from './campaign.js';
import { isRelativeSelector } from './expand/selector.js';

/** A resolved dependency between two runnable nodes: `to` waits for `from`. */
export interface NodeEdge {
  readonly from: string;
  readonly to: string;
  /** The `depends_on` entry that made the edge (on the node or on one of its groups). */
  readonly ref: DepRef;
  /** Instance selector written after the target, `[*]` or `[step=3]`, if any. */
  readonly selector?: string;
  /**
   * The selector takes values from the dependent instance (`gen[step={step-1}]`): the edge
   * orders instances, not nodes, so it is left out of the node DAG and its cycles are looked
   * for between tasks.
   */
  readonly relative?: boolean;
}

/** `path[selector]` → its parts. */
export function splitRef(text: string): { path: string; selector?: string } {
  const open = text.indexOf('[');
  if (open > 0 && text.endsWith(']'))
    return { path: text.slice(0, open).trim(), selector: text.slice(open + 1, -1).trim() };
  return { path: text.trim() };
}

/**
 * Resolves every `depends_on` to edges between runnable nodes. A name is looked up like a
 * lexical scope: a sibling first, then each enclosing group's level, up to the campaign root.
 * A group as target means all of its runnable nodes; a group's own `depends_on` applies to
 * every runnable node inside it.
 */
export function resolveDependencies(campaign: Campaign): { edges: NodeEdge[]; diagnostics: Diagnostic[] } {
  const { nodes } = campaign;
  const diagnostics: Diagnostic[] = [];
  const tasksUnder = new Map<string, string[]>();
  const collect = (id: string): string[] => {
    const memo = tasksUnder.get(id);
    if (memo) return memo;
    const node = nodes.get(id)!;
    const out = node.kind === 'task' ? [id] : node.children.flatMap(collect);
    tasksUnder.set(id, out);
    return out;
  };

  // Resolve each declaring table's refs once: to target node ids.
  const resolved = new Map<string, { ref: DepRef; targets: string[]; selector?: string }[]>();
  for (const node of nodes.values()) {
    if (node.dependsOn.length === 0) continue;
    const list: { ref: DepRef; targets: string[]; selector?: string }[] = [];
    for (const ref of node.dependsOn) {
      const { path, selector } = splitRef(ref.text);
      const target = lookup(campaign, node, path);
      if (!target) {
        diagnostics.push(unknownTarget(campaign, node, ref, path));
        continue;
      }
      const relative = selector !== undefined && isRelativeSelector(selector);
      if (!relative && (target === node.id || node.id.startsWith(`${target}.`))) {
        diagnostics.push(
          diag(
            'self-dependency',
            target === node.id
              ? `\`${node.id}\` depends on itself`
              : `\`${node.id}\` depends on \`${target}\`, the group that contains it`,
            { path: refPath(ref), part: 'value' },
            { suggestion: 'remove this entry' },
          ),
        );
        continue;
      }
      if (target.startsWith(`${node.id}.`)) {
        diagnostics.push(
          diag('self-dependency', `group \`${node.id}\` depends on \`${target}\`, which is inside it`, {
            path: refPath(ref),
            part: 'value',
          }),
        );
        continue;
      }
      const targets = collect(target);
      list.push({ ref, targets, ...(selector !== undefined ? { selector } : {}) });
    }
    resolved.set(node.id, list);
  }

  // Numbering the runnable nodes lets duplicates be found with a stamp per node, no strings.
  const taskNumber = new Map<string, number>();
  for (const node of nodes.values()) if (node.kind === 'task') taskNumber.set(node.id, taskNumber.size);
  const stamp = new Int32Array(taskNumber.size).fill(-1);
  const edges: NodeEdge[] = [];
  for (const node of nodes.values()) {
    if (node.kind !== 'task') continue;
    const me = taskNumber.get(node.id)!;
    // Entries with an instance selector each keep their edge: `gen[step=1]` and `gen[step=2]`.
    let selected: Set<string> | undefined;
    for (let cur: NodeSpec | undefined = node; cur; cur = cur.parent ? nodes.get(cur.parent) : undefined) {
      const list = resolved.get(cur.id);
      if (!list) continue;
      for (const { ref, targets, selector } of list) {
        for (const from of targets) {
          if (selector !== undefined) {
            const key = `${from}[${selector}]`;
            selected ??= new Set();
            if (selected.has(key)) continue;
            selected.add(key);
            edges.push({
              from,
              to: node.id,
              ref,
              selector,
              ...(isRelativeSelector(selector) ? { relative: true } : {}),
            });
            continue;
          }
          const f = taskNumber.get(from)!;
          if (stamp[f] === me) continue;
          stamp[f] = me;
          edges.push({ from, to: node.id, ref });
        }
      }
    }
  }
  return { edges, diagnostics };
}

function lookup(campaign: Campaign, node: NodeSpec, path: string): string | undefined {
  for (let scope = node.parent; ; ) {
    const id = scope ? `${scope}.${path}` : path;
    if (campaign.nodes.has(id)) return id;
    if (!scope) return undefined;
    scope = campaign.nodes.get(scope)?.parent;
  }
}

function unknownTarget(campaign: Campaign, node: NodeSpec, ref: DepRef, path: string): Diagnostic {
  // Offer names as they would be written from here: siblings by name, others by full path.
  const candidates = new Map<string, string>();
  for (const other of campaign.nodes.values()) {
    if (other.id === node.id) continue;
    candidates.set(other.id, other.id);
    if (other.parent === node.parent) candidates.set(other.name, other.name);
  }
  const near = nearest(path, candidates.keys());
  return diag(
    'unknown-dependency',
    `\`${node.id}\` depends on \`${path}\`, which is not defined`,
    {
      path: refPath(ref),
      part: 'value',
    },
    {
      suggestion: near
        ? `did you mean \`${near}\`?`
        : 'depends_on takes sibling names or dotted paths from the campaign root',
    },
  );
}
