import type { MfioError, PacketView } from '@mfio/core';

/**
 * The part of a caller's packet one READ fills: the ranges still unfilled, as views of the
 * packet. Each READ_DATA fragment splits off exactly its range, is copied straight into the
 * caller's buffer and completes that range; READ_DONE completes what is left as not
 * transferred (end of file). Fragments may come in any order.
 */
export class ReadAssembly {
  /** Unfilled views, in order, disjoint; offsets are relative to `#base`. */
  #parts: PacketView[];
  readonly #base: number;
  #received = 0;

  constructor(view: PacketView) {
    this.#parts = [view];
    this.#base = view.start;
  }

  /** Bytes received so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * Fill `[offset, offset + data.length)`. Returns false (and fills nothing) when the range is
   * not entirely unfilled: outside the request, or overlapping an earlier fragment.
   */
  fill(offset: number, data: Uint8Array): boolean {
    const start = this.#base + offset;
    const end = start + data.length;
    const only = this.#parts.length === 1 ? this.#parts[0]! : null;
    if (only !== null && only.start === start && only.end === end) {
      // The usual answer: one fragment fills the whole read (no split, no array work).
      this.#parts = [];
      only.packet.buffer.set(data, start);
      this.#received += data.length;
      only.complete(data.length);
      return true;
    }
    const i = this.#parts.findIndex((p) => p.start <= start && end <= p.end);
    if (i < 0) return false;
    let part = this.#parts[i]!;
    const replace: PacketView[] = [];
    if (part.start < start) {
      const [head, rest] = part.splitAt(start - part.start);
      replace.push(head);
      part = rest;
    }
    if (part.end > end) {
      const [mid, tail] = part.splitAt(end - part.start);
      replace.push(tail);
      part = mid;
    }
    this.#parts.splice(i, 1, ...replace);
    part.packet.buffer.set(data, part.start);
    this.#received += data.length;
    part.complete(data.length);
    return true;
  }

  /** The read ended: whatever was not filled was not transferred (short read). */
  finish(): void {
    const parts = this.#parts;
    this.#parts = [];
    for (const part of parts) part.complete(0);
  }

  /** The read failed: the bytes already delivered stand, the rest fails with `error`. */
  fail(error: MfioError): void {
    const parts = this.#parts;
    this.#parts = [];
    for (const part of parts) part.fail(error);
  }
}
