import { createHash } from 'node:crypto';

/**
 * The seed of a task: `seedOf(campaign seed, task id)`, where the task id is
 * `<node id>[<instance>]` (`fp.rg2.generate[batch_00]`; a chunk's instance is `chunk-0003`).
 * Two nodes that fan out over the same values get different seeds; the same campaign seed and
 * task id give the same seed across runs, machines and languages.
 */
export function taskSeed(campaignSeed: number, nodeId: string, instance: string): number {
  return seedOf(campaignSeed, `${nodeId}[${instance}]`);
}

/**
 * The first four bytes of SHA-256 of `"<campaign seed>:<key>"`, read as a big-endian unsigned
 * 32-bit integer.
 */
export function seedOf(campaignSeed: number, key: string): number {
  return createHash('sha256').update(`${campaignSeed}:${key}`).digest().readUInt32BE(0);
}
