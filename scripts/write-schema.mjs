#!/usr/bin/env node
// Writes the scheduler tables of schemas/campaign.schema.json from the adapters' registry
// (dist/schedulers/options-schema.js), so editors complete every adapter's options. The
// program validates against the registry itself; this keeps the published file the same.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const file = join(root, 'schemas/campaign.schema.json');
const { schedulerSchemas } = await import(join(root, 'dist/schedulers/options-schema.js'));

let text = readFileSync(file, 'utf8');
const before = text;
for (const [name, def] of Object.entries(schedulerSchemas())) text = replaceDefinition(text, name, def);
if (text !== before) writeFileSync(file, text);
JSON.parse(text);

// The validator, generated once here rather than compiled by every command at its start.
// Loaded after the file is written: the model reads the schema when it is imported.
const { AJV_OPTIONS, PRECOMPILED, campaignSchema, schemaHash } = await import(
  join(root, 'dist/model/schema.js')
);
const { Ajv } = await import('ajv');
const { default: standalone } = await import('ajv/dist/standalone/index.js');
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: false } });
const code = `${standalone(ajv, ajv.compile(campaignSchema))}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash())};\n`;
const target = PRECOMPILED;
writeFileSync(`${target}.tmp`, code);
renameSync(`${target}.tmp`, target);

/** The text with one entry of `definitions` (at four spaces) written anew. */
function replaceDefinition(source, name, def) {
  const open = `\n    ${JSON.stringify(name)}: {`;
  const from = source.indexOf(open);
  if (from < 0) throw new Error(`schemas/campaign.schema.json has no definition ${name}`);
  const to = source.indexOf('\n    }', from + open.length);
  const body = format(def, 4);
  return `${source.slice(0, from)}\n    ${JSON.stringify(name)}: ${body}${source.slice(to + '\n    }'.length)}`;
}

/** JSON with two-space indents; a value that fits on one line stays on one line. */
function format(value, indent) {
  const flat = inline(value);
  if (value === null || typeof value !== 'object' || indent + flat.length <= 150) return flat;
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => pad + format(v, indent + 2)).join(',\n')}\n${' '.repeat(indent)}]`;
  }
  const rows = Object.entries(value).map(([k, v]) => `${pad}${JSON.stringify(k)}: ${format(v, indent + 2)}`);
  return `{\n${rows.join(',\n')}\n${' '.repeat(indent)}}`;
}

function inline(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  const rows = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`);
  return rows.length === 0 ? '{}' : `{ ${rows.join(', ')} }`;
}
