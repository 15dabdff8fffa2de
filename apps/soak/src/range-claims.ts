import type { Range } from './range-set.js';

/** Ranges of one file held by one request until the backend lets go of it. */
export interface Claim {
  readonly ranges: readonly Range[];
  readonly exclusive: boolean;
}

/**
 * Who may touch which bytes of a file right now: any number of reads, or one write. A read that
 * overlaps a write in flight may see old, new or mixed bytes, which no model can check, so the
 * soak never starts one; it picks other bytes instead. A write keeps its claim until the backend
 * has released it (an aborted write may still land until then).
 */
export class RangeClaims {
  readonly #held = new Set<Claim>();

  /** Claims held now. */
  get count(): number {
    return this.#held.size;
  }

  /** Claim `ranges` (shared for reads, exclusive for a write), or null if that would conflict. */
  tryClaim(ranges: readonly Range[], exclusive: boolean): Claim | null {
    for (const held of this.#held) {
      if (!exclusive && !held.exclusive) continue;
      for (const a of held.ranges) for (const b of ranges) if (a.start < b.end && b.start < a.end) return null;
    }
    const claim = { ranges, exclusive };
    this.#held.add(claim);
    return claim;
  }

  release(claim: Claim): void {
    this.#held.delete(claim);
  }
}
