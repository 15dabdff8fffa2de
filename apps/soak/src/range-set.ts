/** A half-open byte range `[start, end)`. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * A set of bytes kept as sorted, disjoint, non-adjacent ranges. The soak keeps a file's unknown
 * bytes in one: there are few such ranges at a time, so arrays beat a tree here.
 */
export class RangeSet {
  #ranges: Range[] = [];

  /** The ranges, sorted, none empty, none touching another. */
  get ranges(): readonly Range[] {
    return this.#ranges;
  }

  get isEmpty(): boolean {
    return this.#ranges.length === 0;
  }

  /** How many bytes are in the set. */
  get size(): number {
    return this.#ranges.reduce((sum, r) => sum + r.end - r.start, 0);
  }

  /** Add `[start, end)`, merging it with the ranges it overlaps or touches. */
  add(start: number, end: number): void {
    if (end <= start) return;
    const kept: Range[] = [];
    let merged = { start, end };
    for (const r of this.#ranges) {
      if (r.end < merged.start || r.start > merged.end) kept.push(r);
      else merged = { start: Math.min(r.start, merged.start), end: Math.max(r.end, merged.end) };
    }
    kept.push(merged);
    kept.sort((a, b) => a.start - b.start);
    this.#ranges = kept;
  }

  /** Remove `[start, end)`, splitting a range that covers it. */
  remove(start: number, end: number): void {
    if (end <= start) return;
    const kept: Range[] = [];
    for (const r of this.#ranges) {
      if (r.end <= start || r.start >= end) {
        kept.push(r);
        continue;
      }
      if (r.start < start) kept.push({ start: r.start, end: start });
      if (r.end > end) kept.push({ start: end, end: r.end });
    }
    this.#ranges = kept;
  }

  /** The parts of the set inside `[start, end)`, in order. */
  within(start: number, end: number): Range[] {
    const out: Range[] = [];
    for (const r of this.#ranges) {
      if (r.end <= start || r.start >= end) continue;
      out.push({ start: Math.max(r.start, start), end: Math.min(r.end, end) });
    }
    return out;
  }

  /** The parts of `[start, end)` outside the set, in order. */
  outside(start: number, end: number): Range[] {
    const out: Range[] = [];
    let at = start;
    for (const r of this.within(start, end)) {
      if (r.start > at) out.push({ start: at, end: r.start });
      at = r.end;
    }
    if (at < end) out.push({ start: at, end });
    return out;
  }
}
