import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Diagnostic, diag } from '../../config/diagnostic.js';
import type { Campaign } from '../campaign.js';
import { describeValue, firstLine } from './describe.js';
import { NAME, type WorkflowRegistry } from './registry.js';
import type { WorkflowType } from './types.js';

/**
 * Imports the campaign's plugins and registers their workflow types. A plugin that cannot be
 * found, throws while loading, or exports something else than `{ workflows: [...] }` is a
 * diagnostic on its `plugins` entry, never a crash.
 */
export async function loadPlugins(
  campaign: Pick<Campaign, 'plugins' | 'dir'>,
  registry: WorkflowRegistry,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const [i, spec] of campaign.plugins.entries()) {
    const where = { path: ['campaign', 'plugins', i], part: 'value' as const };
    const path = isAbsolute(spec) ? spec : resolve(campaign.dir, spec);
    if (!existsSync(path)) {
      out.push(
        diag('plugin-not-found', `cannot find the plugin \`${spec}\``, where, {
          suggestion: 'plugin paths are relative to the campaign file',
        }),
      );
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (e) {
      out.push(diag('plugin-failed', `plugin \`${spec}\` failed to load: ${firstLine(e)}`, where));
      continue;
    }
    const plugin = mod.default as { workflows?: unknown } | undefined;
    if (plugin === null || typeof plugin !== 'object' || !Array.isArray(plugin.workflows)) {
      const what =
        plugin === undefined
          ? 'it has no default export'
          : plugin === null || typeof plugin !== 'object'
            ? `its default export is ${describeValue(plugin)}`
            : `its default export's \`workflows\` is ${describeValue(plugin.workflows)}`;
      out.push(
        diag(
          'plugin-invalid',
          `plugin \`${spec}\` must export default { workflows: [...] }; ${what}`,
          where,
          {
            suggestion: 'see docs/plugins.md',
          },
        ),
      );
      continue;
    }
    for (const [j, w] of (plugin.workflows as unknown[]).entries()) {
      const problem = shapeProblem(w);
      if (problem) {
        out.push(
          diag('plugin-invalid', `plugin \`${spec}\`: workflows[${j}] ${problem}`, where, {
            suggestion: 'see docs/plugins.md',
          }),
        );
        continue;
      }
      const clash = registry.add(w as WorkflowType, spec);
      if (clash) out.push(diag('plugin-invalid', `plugin \`${spec}\`: ${clash}`, where));
    }
  }
  return out;
}

/** Why a value is not a workflow type, or undefined. */
function shapeProblem(w: unknown): string | undefined {
  if (w === null || typeof w !== 'object' || Array.isArray(w))
    return `is ${describeValue(w)}, not a workflow type`;
  const t = w as Record<string, unknown>;
  if (typeof t.name !== 'string' || !NAME.test(t.name)) {
    return `has the name ${describeValue(t.name)}; a name is letters, digits, \`_\`, \`-\` and \`.\`, starting with a letter`;
  }
  const label = `(\`${t.name}\`)`;
  if (typeof t.description !== 'string') return `${label} needs a \`description\` string`;
  if (t.paramsSchema === null || typeof t.paramsSchema !== 'object' || Array.isArray(t.paramsSchema)) {
    return `${label} needs a \`paramsSchema\` object (a JSON Schema), not ${describeValue(t.paramsSchema)}`;
  }
  if (typeof t.command !== 'function')
    return `${label} needs a \`command\` function, not ${describeValue(t.command)}`;
  for (const k of ['expand', 'resources']) {
    if (t[k] !== undefined && typeof t[k] !== 'function')
      return `${label}: \`${k}\` must be a function, not ${describeValue(t[k])}`;
  }
  return undefined;
}
