#!/usr/bin/env node
// Writes a synthetic campaign: `nodes` runnable nodes in groups of `groupSize`, each depending
// on about `fanIn` earlier nodes (a sibling and a node of the previous group), so that
// 100,000 nodes give 200,000 edges. Usage: node bench/generate.js OUT.toml [nodes] [fanIn]
import { writeFileSync } from 'node:fs';

export function generateCampaign({ nodes = 100_000, fanIn = 2, groupSize = 100 } = {}) {
  const lines = ['[campaign]', 'name = "bench"', 'description = "generated"', ''];
  lines.push('[campaign.defaults.resources]', 'memory = "1G"', 'runtime = "10m"', '');
  const groups = Math.ceil(nodes / groupSize);
  let edges = 0;
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < groupSize && g * groupSize + i < nodes; i++) {
      lines.push(`[campaign.g${g}.n${i}]`);
      lines.push(`command = "run --group ${g} --item ${i}"`);
      const deps = [];
      if (i > 0 && fanIn >= 1) deps.push(`"n${i - 1}"`);
      if (g > 0 && fanIn >= 2) deps.push(`"g${g - 1}.n${(i * 7) % groupSize}"`);
      for (let k = 2; k < fanIn && i > k; k++) deps.push(`"n${i - 1 - k}"`);
      if (g > 0 && fanIn >= 2 && i === 0) deps.push(`"g${g - 1}.n${groupSize - 1}"`);
      edges += deps.length;
      if (deps.length > 0) lines.push(`depends_on = [${deps.join(', ')}]`);
      lines.push('');
    }
  }
  return { text: lines.join('\n'), edges };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'bench-campaign.toml';
  const nodes = Number(process.argv[3] ?? 100_000);
  const fanIn = Number(process.argv[4] ?? 2);
  const { text, edges } = generateCampaign({ nodes, fanIn });
  writeFileSync(out, text);
  console.log(`${out}: ${nodes} nodes, ${edges} edges, ${(text.length / 1e6).toFixed(1)} MB`);
}
