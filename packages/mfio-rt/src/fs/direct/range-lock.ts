/** A range asked for: granted once every earlier overlapping holder has released. */
interface Holder {
  readonly start: number;
  readonly end: number;
  /** Earlier overlapping holders not yet released. */
  waiting: number;
  granted: ((release: () => void) => void) | null;
  /** Later holders that overlap this one. */
  readonly after: Holder[];
}

/**
 * First-come ordering of byte ranges: a range is granted once every earlier holder whose range
 * overlaps has released, so two writes that share a block run one after the other in the order
 * they were made, and writes to disjoint blocks run together. A holder counts from the moment
 * it asks (not from when it gets in), so a later request never overtakes an earlier one on the
 * same bytes. Callbacks, not promises: a grant runs synchronously (at once when the range is
 * free, or from the release before it), so a chain of I/O driven by a sync wrapper's blocking
 * loop, where no microtask runs, still moves.
 */
export class RangeLock {
  readonly #held: Holder[] = [];

  /** Ask for `[start, end)`; `granted` runs when it is this caller's, with the release. */
  acquire(start: number, end: number, granted: (release: () => void) => void): void {
    const holder: Holder = { start, end, waiting: 0, granted, after: [] };
    for (const h of this.#held) {
      if (h.start < end && start < h.end) {
        h.after.push(holder);
        holder.waiting++;
      }
    }
    this.#held.push(holder);
    if (holder.waiting === 0) this.#grant(holder);
  }

  #grant(holder: Holder): void {
    const granted = holder.granted!;
    holder.granted = null;
    let released = false;
    granted(() => {
      if (released) return;
      released = true;
      this.#held.splice(this.#held.indexOf(holder), 1);
      for (const next of holder.after) if (--next.waiting === 0) this.#grant(next);
    });
  }
}
