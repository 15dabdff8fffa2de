/**
 * An order-independent digest of a set of reads, cheap enough to take while measuring: each
 * read contributes its index, length and three sampled bytes (first, middle, last). Reads
 * that land in the wrong place, come back short or empty change it.
 */
export class ReadDigest {
  #value = 0;

  /** Add read `index`: `length` bytes of `bytes` from `offset` (no view to allocate per read). */
  add(index: number, bytes: Uint8Array, length = bytes.length, offset = 0): void {
    const a = length > 0 ? bytes[offset]! : 0;
    const b = length > 0 ? bytes[offset + (length >>> 1)]! : 0;
    const c = length > 0 ? bytes[offset + length - 1]! : 0;
    const h = Math.imul((index + 1) ^ Math.imul(length, 0x9e3779b1), 0x85ebca6b) ^ (a | (b << 8) | (c << 16));
    this.#value = (this.#value + Math.imul(h, 0xc2b2ae35)) >>> 0;
  }

  /**
   * Add the digest of reads taken elsewhere (a C client, the same formula): the digest is a sum,
   * so its parts add up in any order.
   */
  merge(value: number): void {
    this.#value = (this.#value + value) >>> 0;
  }

  get value(): number {
    return this.#value;
  }
}
