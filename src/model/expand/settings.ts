import { type Diagnostic, type DocPath, diag } from '../../config/diagnostic.js';
import type { Campaign, NodeSpec } from '../campaign.js';
import type { NodeWorkflow } from './commands.js';

/** `id`, `chunk` and `skip_complete` only mean something where there are instances. */
export function checkSettings(
  campaign: Campaign,
  workflows: ReadonlyMap<string, NodeWorkflow>,
  out: Diagnostic[],
): void {
  const fansOut = (n: NodeSpec) => {
    const s = n.fanout;
    return (
      (s && (s.matrix !== undefined || s.zip !== undefined || s.foreach !== undefined)) ||
      workflows.get(n.id)?.instances !== undefined
    );
  };
  const inherits = (n: NodeSpec): boolean => {
    for (
      let cur: NodeSpec | undefined = n;
      cur;
      cur = cur.parent ? campaign.nodes.get(cur.parent) : undefined
    ) {
      if (fansOut(cur)) return true;
    }
    return false;
  };
  for (const n of campaign.nodes.values()) {
    const s = n.fanout;
    if (!s) continue;
    const at = (key: string): { path: DocPath; part: 'key' } => ({ path: [...n.docPath, key], part: 'key' });
    if (s.id !== undefined && !fansOut(n)) {
      out.push(
        diag(
          'id-without-fanout',
          `\`id\` names the instances of a fan-out, but \`${n.id}\` has no \`matrix\`, \`zip\` or \`foreach\``,
          at('id'),
        ),
      );
    }
    for (const [key, set] of [
      ['chunk', s.chunk !== undefined],
      ['skip_complete', s.skipComplete !== undefined],
    ] as const) {
      if (!set) continue;
      if (n.kind === 'group') {
        out.push(
          diag(
            'setting-on-group',
            `\`${key}\` applies to a runnable node's instances, and \`${n.id}\` is a group`,
            at(key),
            {
              suggestion: 'move it to the nodes of the group that need it',
            },
          ),
        );
      } else if (!inherits(n)) {
        out.push(
          diag('no-instances', `\`${key}\` needs instances, but \`${n.id}\` is not fanned out`, at(key), {
            suggestion: 'add `matrix`, `zip` or `foreach` to the node or to a group around it',
          }),
        );
      }
    }
    if (s.skipComplete && n.kind === 'task' && n.outputs.length === 0) {
      out.push(
        diag(
          'skip-without-outputs',
          `\`skip_complete\` needs \`outputs\` to tell which items are complete`,
          at('skip_complete'),
          {
            suggestion: 'declare the outputs of each item, such as outputs = ["out/{basin}/{draw:03}.nc"]',
          },
        ),
      );
    }
    if (s.skipComplete && s.chunk !== undefined && n.workdir?.includes('{')) {
      out.push(
        diag('skip-chunk-workdir', '`skip_complete` with `chunk` needs a `workdir` without placeholders', {
          path: n.written.workdir ?? [...n.docPath, 'workdir'],
          part: 'value',
        }),
      );
    }
  }
}
