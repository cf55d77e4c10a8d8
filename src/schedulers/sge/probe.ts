import { parseSge } from '../../plan/probe-sge.js';
import type { ClusterProbe } from '../probe.js';

/** Grid Engine's queues from `qconf -sql`, `-sq`, `-sel`, `-se`, `-shgrpl` and `-shgrp`. */
export const probeSge: ClusterProbe = (name, run) => {
  const list = run('qconf', ['-sql']);
  if (!list.ok) return { ok: false, why: list.why };
  const queues: Record<string, string> = {};
  for (const q of lines(list.text)) {
    const r = run('qconf', ['-sq', q]);
    if (r.ok) queues[q] = r.text;
  }
  const hosts: Record<string, string> = {};
  const hostList = run('qconf', ['-sel']);
  for (const h of hostList.ok ? lines(hostList.text) : []) {
    const r = run('qconf', ['-se', h]);
    if (r.ok) hosts[h] = r.text;
  }
  // `qconf -shgrpl` exits 1 when there are no host groups: none to read.
  const hostGroups: Record<string, string> = {};
  const groupList = run('qconf', ['-shgrpl']);
  for (const g of groupList.ok ? lines(groupList.text) : []) {
    const r = run('qconf', ['-shgrp', g]);
    if (r.ok) hostGroups[g] = r.text;
  }
  return { ok: true, probed: parseSge({ queueList: list.text, queues, hosts, hostGroups }, name) };
};

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
