import type { CoalesceOptions } from './options.js';

/** One GET of a coalesced batch: `[start, end)` of the object, serving `members` (request indices, by position). */
export interface PlannedRange {
  /** First byte of the GET. */
  readonly start: number;
  /** One past its last byte. */
  readonly end: number;
  /** The indices of the requests it serves, by position. */
  readonly members: number[];
}

/**
 * Join requests into ranged GETs, as Arrow's object_store and glommio do: sorted by position,
 * a request joins the GET before it while the unrequested bytes between them are at most
 * `maxGap`, the GET stays within `maxMergedSize`, and it carries at most `maxAmplification`
 * times the bytes its requests want. A request larger than `maxMergedSize` is a GET of its own.
 * Requests of length 0 are left out (the caller reports them).
 * @example planRanges([0, 100, 10_000_000], [10, 10, 10], { maxGap: 4096, maxMergedSize: 1 << 20, maxAmplification: 16 })
 * // → [{ start: 0, end: 110, members: [0, 1] }, { start: 10_000_000, end: 10_000_010, members: [2] }]
 */
export function planRanges(positions: ArrayLike<number>, lengths: ArrayLike<number>, limits: Required<CoalesceOptions>): PlannedRange[] {
  const order: number[] = [];
  for (let i = 0; i < positions.length; i++) if (lengths[i]! > 0) order.push(i);
  order.sort((a, b) => positions[a]! - positions[b]! || a - b);
  const ranges: PlannedRange[] = [];
  let current: { start: number; end: number; members: number[]; wanted: number } | null = null;
  for (const i of order) {
    const start = positions[i]!;
    const end = start + lengths[i]!;
    if (current !== null) {
      const gap = start - current.end;
      const newEnd = Math.max(current.end, end);
      const span = newEnd - current.start;
      // Bytes wanted: the union of the requests (overlaps count once).
      const wanted = current.wanted + Math.max(0, newEnd - Math.max(current.end, start));
      if (gap <= limits.maxGap && span <= limits.maxMergedSize && span <= limits.maxAmplification * wanted) {
        current.end = newEnd;
        current.wanted = wanted;
        current.members.push(i);
        continue;
      }
      ranges.push({ start: current.start, end: current.end, members: current.members });
    }
    current = { start, end, members: [i], wanted: end - start };
  }
  if (current !== null) ranges.push({ start: current.start, end: current.end, members: current.members });
  return ranges;
}
