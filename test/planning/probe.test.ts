import { spawnSync } from 'node:child_process';
import TOML from '@iarna/toml';
import { afterAll, describe, expect, it } from 'vitest';
import { formatMemory } from '../../src/model/units.js';
import { clusterToToml, parseCluster } from '../../src/plan/cluster.js';
import { parseSlurm, SCONTROL_ARGS, SINFO_ARGS } from '../../src/plan/probe-slurm.js';
import { Rig, repo } from '../rig.js';

const rig = new Rig('campaign-probe-');
afterAll(() => rig.cleanup());

/** A command's output; a scheduler that does not answer fails the test (CI never skips). */
function sh(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

function sgeEnv(): Record<string, string> {
  const text = sh(`${repo}/scripts/local-sge.sh`, ['env']);
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  return env;
}

describe('campaign cluster probe on the real local Slurm', () => {
  it('writes what scontrol and sinfo say, and plan chooses from it', () => {
    const expected = clusterToToml(
      parseSlurm(sh('scontrol', SCONTROL_ARGS), sh('sinfo', SINFO_ARGS)).cluster,
    );
    const names = sh('sinfo', ['-h', '-o', '%R']).trim().split('\n');
    const r = rig.run(['cluster', 'probe', '--scheduler', 'slurm', '--out', 'clusters/local.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `wrote clusters/local.toml: ${names.length} partition${names.length === 1 ? '' : 's'} (${names.join(', ')})\n`,
    );
    const written = rig.read('clusters/local.toml');
    expect(written).toBe(expected);
    const back = parseCluster((TOML.parse(written) as { cluster: unknown }).cluster, ['cluster']);
    expect(back.ok && back.value.partitions.map((p) => p.name).sort()).toEqual([...names].sort());

    const first = parseSlurm(sh('scontrol', SCONTROL_ARGS), sh('sinfo', SINFO_ARGS)).cluster.partitions[0]!;
    rig.write(
      'on-local.toml',
      `[campaign]\nname = "p"\ncluster = "clusters/local.toml"\n[campaign.scheduler]\ntype = "slurm"\n` +
        `[campaign.fits]\ncommand = "true"\nresources = { cores = 1, memory = "100M", runtime = "5m" }\n`,
    );
    const ok = rig.run(['plan', 'on-local.toml', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).partitions).toEqual({ fits: first.name });

    rig.write(
      'too-big.toml',
      `[campaign]\nname = "p"\ncluster = "clusters/local.toml"\n[campaign.scheduler]\ntype = "slurm"\n` +
        `[campaign.huge]\ncommand = "true"\nresources = { cores = 1, memory = "64T" }\n`,
    );
    const bad = rig.run(['plan', 'too-big.toml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'too-big.toml:8:35: error: `huge` fits no partition of the cluster [fits-no-partition]\n' +
        '  8 | resources = { cores = 1, memory = "64T" }\n' +
        '    |                                   ^^^^^\n' +
        `  note: clusters/local.toml:`,
    );
    expect(bad.stderr).toContain(
      `: ${first.name}: memory per node 64T > ${formatMemory(first.memoryPerNode)}\n`,
    );
  }, 300_000);

  it('will not overwrite a file without --force', () => {
    rig.write('clusters/kept.toml', '# edited by hand\n');
    const r = rig.run(['cluster', 'probe', '--scheduler', 'slurm', '--out', 'clusters/kept.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('campaign: clusters/kept.toml exists; give --force to overwrite it\n');
    expect(rig.read('clusters/kept.toml')).toBe('# edited by hand\n');
  }, 300_000);
});

describe('campaign cluster probe on the real local Grid Engine', () => {
  it('writes the queues qconf describes', () => {
    const env = sgeEnv();
    const queues = sh('qconf', ['-sql'], { ...process.env, ...env })
      .trim()
      .split('\n');
    const r = rig.run(['cluster', 'probe', '--scheduler', 'sge', '--name', 'lab'], { env });
    expect(r.code).toBe(0);
    const parsed = parseCluster((TOML.parse(r.stdout) as { cluster: unknown }).cluster, ['cluster']);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.name).toBe('lab');
    expect(parsed.value.scheduler).toBe('sge');
    expect(parsed.value.partitions.map((p) => p.name)).toEqual(queues);
    // Each queue's slots on its host are its cores per node.
    const q = sh('qconf', ['-sq', queues[0]!], { ...process.env, ...env });
    const line = /^slots\s+(.*)$/m.exec(q)?.[1] ?? '';
    const slots = Number(/\[[^=]+=(\d+)\]/.exec(line)?.[1] ?? /^\d+/.exec(line)?.[0]);
    expect(parsed.value.partitions[0]!.coresPerNode).toBe(slots);
  }, 300_000);
});
