import { createHash } from 'node:crypto';

/**
 * The seed of an instance: the first four bytes of SHA-256 of `"<campaign seed>:<instance id>"`,
 * read as a big-endian unsigned 32-bit integer. Stable across runs, machines and languages.
 */
export function instanceSeed(campaignSeed: number, instanceId: string): number {
  return createHash('sha256').update(`${campaignSeed}:${instanceId}`).digest().readUInt32BE(0);
}
