/** How much a sampled figure (RSS, descriptors) may grow over a run. */
export interface GrowthBound {
  /** Samples taken before this (ms since the start) are the warm-up and do not count. */
  readonly warmupMs: number;
  /** Growth always allowed, in the figure's unit (bytes, descriptors). */
  readonly absolute: number;
  /** Growth allowed in proportion to the starting level (0.25: 25 %). */
  readonly relative: number;
}

/** The verdict on one series of samples. */
export interface Growth {
  /** Whether there were enough samples after the warm-up to judge (at least 6). */
  readonly judged: boolean;
  /** Median of the first and of the last third of the samples after the warm-up. */
  readonly early: number;
  readonly late: number;
  /** The most `late` may be. */
  readonly allowed: number;
  readonly ok: boolean;
}

/** The fewest samples after the warm-up that make thirds of two samples each. */
export const MIN_JUDGED_SAMPLES = 6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Did a figure grow past its bound? Single samples are noisy (a GC just ran or is due; a
 * restart's sockets are half closed), so compare the median of the first third of the samples
 * after the warm-up with the median of the last third: a leak moves the whole late third up,
 * a spike moves one sample.
 */
export function judgeGrowth(samples: ReadonlyArray<{ atMs: number; value: number }>, bound: GrowthBound): Growth {
  const counted = samples.filter((s) => s.atMs >= bound.warmupMs).map((s) => s.value);
  if (counted.length < MIN_JUDGED_SAMPLES) return { judged: false, early: NaN, late: NaN, allowed: NaN, ok: true };
  const third = Math.floor(counted.length / 3);
  const early = median(counted.slice(0, third));
  const late = median(counted.slice(counted.length - third));
  const allowed = early + bound.absolute + bound.relative * early;
  return { judged: true, early, late, allowed, ok: late <= allowed };
}
