import type { CaseResult } from './measure.js';

/** A contender's runs of one case, merged: what the report shows for it. */
export interface MergedResult extends CaseResult {
  /** Reads/s of each run, in run order (present with --repeat above 1). */
  runs?: number[];
}

/**
 * Merge `runs` (one result per run of the same case and contender) into one: the median run's
 * figures, verified only if every run was, and as spread the half-range of the runs around the
 * median in percent (runs taken minutes apart vary more than tinybench's own margin says, above
 * all on a cold cache). A failed run fails the whole.
 */
export function mergeRuns(runs: CaseResult[]): MergedResult {
  if (runs.length === 1) return runs[0]!;
  const failed = runs.find((r) => r.error !== undefined);
  if (failed !== undefined) return { ...failed, runs: runs.map((r) => r.readsPerSecond) };
  const sorted = [...runs].sort((a, b) => a.readsPerSecond - b.readsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const low = sorted[0]!.readsPerSecond;
  const high = sorted[sorted.length - 1]!.readsPerSecond;
  return {
    ...median,
    verified: runs.every((r) => r.verified),
    rme: median.readsPerSecond > 0 ? ((high - low) / 2 / median.readsPerSecond) * 100 : 0,
    samples: runs.reduce((sum, r) => sum + r.samples, 0),
    runs: runs.map((r) => r.readsPerSecond),
  };
}
