import type { Resources, SchedulerOptions } from '../model/campaign.js';
import type { AttemptRequest } from './events.js';

/** The request of a submission; the partition only counts where a scheduler queues the work. */
export function attemptRequest(
  s: { readonly resources: Resources; readonly limit?: number; readonly options: SchedulerOptions },
  queues: boolean,
): AttemptRequest {
  const r = s.resources;
  const partition = queues ? (s.options.partition ?? s.options.queue) : undefined;
  return {
    cores: r.cores,
    ...(r.memory !== undefined ? { memory: r.memory } : {}),
    ...(r.gpus ? { gpus: r.gpus } : {}),
    ...(r.runtime !== undefined ? { runtime: r.runtime } : {}),
    ...(s.limit !== undefined ? { limit: s.limit } : {}),
    ...(partition !== undefined ? { partition } : {}),
  };
}
