import { parseSlurm, SCONTROL_ARGS, SINFO_ARGS } from '../../plan/probe-slurm.js';
import type { ClusterProbe } from '../probe.js';

/** Slurm's partitions from `scontrol show partition` and `sinfo`. */
export const probeSlurm: ClusterProbe = (name, run) => {
  const scontrol = run('scontrol', SCONTROL_ARGS);
  if (!scontrol.ok) return { ok: false, why: scontrol.why };
  const sinfo = run('sinfo', SINFO_ARGS);
  const probed = parseSlurm(scontrol.text, sinfo.ok ? sinfo.text : '', name);
  return {
    ok: true,
    probed: sinfo.ok ? probed : { ...probed, notes: [...probed.notes, `sinfo gave nothing: ${sinfo.why}`] },
  };
};
