import { type DashboardState, PARALLELISM_TAU_MS, THROUGHPUT_WINDOW_S } from './reducer.js';

/**
 * Finished tasks (succeeded or failed for good) per second over the last minute, or since the
 * first task started if that is shorter. Undefined until something has started.
 */
export function throughput(s: DashboardState, now: number): number | undefined {
  if (s.firstStartAt === undefined) return undefined;
  const nowSec = Math.floor(now / 1000);
  let done = 0;
  for (let b = 0; b < THROUGHPUT_WINDOW_S; b++) {
    const sec = s.doneSecond[b]!;
    if (sec > nowSec - THROUGHPUT_WINDOW_S && sec <= nowSec) done += s.doneBySecond[b]!;
  }
  const windowS = Math.min(THROUGHPUT_WINDOW_S, Math.max(1, (now - s.firstStartAt) / 1000));
  return done / windowS;
}

/** How many tasks have been running at once, on average over the last minute or so. */
export function parallelism(s: DashboardState, now: number): number {
  if (s.firstStartAt === undefined) return 0;
  const p = s.parallel;
  const decay = now > p.at ? Math.exp(-(now - p.at) / PARALLELISM_TAU_MS) : 1;
  const r = s.running.size;
  const ema = r + (p.ema - r) * decay;
  const weight = 1 + (p.weight - 1) * decay;
  return weight > 0 ? ema / weight : 0;
}

/**
 * How long a node's tasks really take against the planner's runtime: observed / planned over
 * its succeeded tasks, else over the run's, else 1.
 */
export function runtimeRatio(s: DashboardState, row: number): number {
  const planned = s.rowObservedDeclaredMs[row] ?? 0;
  if (planned > 0) return s.rowObservedWallMs[row]! / planned;
  return s.observedDeclaredMs > 0 ? s.observedWallMs / s.observedDeclaredMs : 1;
}

/**
 * Milliseconds until the run ends: the planner's runtime of the work left, each node's scaled
 * by how long its finished tasks really took against it (a node with none yet: the run's
 * ratio), divided by the observed parallelism. Tasks with no runtime count as the mean
 * observed duration. Undefined when unknown.
 */
export function eta(s: DashboardState, now: number): number | undefined {
  if (s.phase !== 'running') return undefined;
  const par = parallelism(s, now);
  if (par <= 0) return undefined;
  const ratio = s.observedDeclaredMs > 0 ? s.observedWallMs / s.observedDeclaredMs : 1;
  const mean = s.observedAllCount > 0 ? s.observedAllWallMs / s.observedAllCount : undefined;
  let work = s.unobservedRemainingMs * ratio;
  for (const r of s.observedRows) work += s.rowRemainingMs[r]! * runtimeRatio(s, r);
  if (s.remainingUndeclared > 0) {
    if (mean === undefined) return undefined;
    work += s.remainingUndeclared * mean;
  }
  for (const i of s.running) {
    const rt = s.tasks.runtimeS[i]!;
    const expected = Number.isNaN(rt) ? mean : rt * 1000 * runtimeRatio(s, s.tasks.row[i]!);
    if (expected === undefined) return undefined;
    work += Math.max(0, expected - (now - s.tasks.startedAt[i]!));
  }
  return work / par;
}
