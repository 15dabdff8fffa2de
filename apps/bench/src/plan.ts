import { SeededRandom } from '@mfio/core';

/** The order reads visit the file in. */
export type Pattern = 'sequential' | 'reverse' | 'random';
export const PATTERNS: readonly Pattern[] = ['sequential', 'reverse', 'random'];

/** One benchmark case: the same reads for every contender. */
export interface CaseSpec {
  contender: string;
  file: string;
  fileSize: number;
  pattern: Pattern;
  size: number;
  /** Reads in flight for the contenders that keep several (one-at-a-time ones ignore it). */
  inFlight: number;
  /** Reads per measured iteration. */
  reads: number;
  cache: 'hot' | 'cold';
  /** Milliseconds tinybench measures for. */
  time: number;
  seed: number;
}

/**
 * The positions of `count` reads of `size` bytes: consecutive for sequential and reverse
 * (wrapping around the file), seeded and size-aligned for random, so every contender and the
 * reference read exactly the same bytes.
 */
export function positions(spec: Pick<CaseSpec, 'fileSize' | 'pattern' | 'size' | 'seed'>, count: number, iteration: number): Float64Array {
  const slots = Math.floor(spec.fileSize / spec.size);
  const out = new Float64Array(count);
  if (spec.pattern === 'random') {
    const random = new SeededRandom(spec.seed + iteration * 7919);
    for (let i = 0; i < count; i++) out[i] = random.int(slots) * spec.size;
  } else {
    const start = (iteration * count) % slots;
    for (let i = 0; i < count; i++) {
      const slot = (start + i) % slots;
      out[i] = (spec.pattern === 'sequential' ? slot : slots - 1 - slot) * spec.size;
    }
  }
  return out;
}
