/** A held range; `release` lets the next overlapping holder in. */
interface Holder {
  readonly start: number;
  readonly end: number;
  readonly released: Promise<void>;
}

/**
 * First-come ordering of byte ranges: `acquire` waits for every earlier holder whose range
 * overlaps, so two writes that share a block run one after the other in the order they were
 * made, and writes to disjoint blocks run together. A holder counts from the moment it asks (not
 * from when it gets in), so a later request never overtakes an earlier one on the same bytes.
 */
export class RangeLock {
  #held: Holder[] = [];

  /** Wait for the range `[start, end)`; resolves with the function that releases it. */
  async acquire(start: number, end: number): Promise<() => void> {
    const before: Promise<void>[] = [];
    for (const h of this.#held) if (h.start < end && start < h.end) before.push(h.released);
    let release!: () => void;
    const holder: Holder = { start, end, released: new Promise<void>((resolve) => (release = resolve)) };
    this.#held.push(holder);
    if (before.length > 0) await Promise.all(before);
    return () => {
      this.#held = this.#held.filter((h) => h !== holder);
      release();
    };
  }
}
