import { RangeSet } from './range-set.js';

/** What a read got wrong, against the model. */
export type Mismatch =
  | {
      readonly kind: 'length';
      /** Where the read started and how many bytes the model says it must return. */
      readonly position: number;
      readonly expected: number;
      readonly actual: number;
    }
  | {
      readonly kind: 'bytes';
      /** The first wrong byte's file position, what the model holds there and what was read. */
      readonly position: number;
      readonly expected: number;
      readonly actual: number;
      /** Wrong bytes in this read in all (known bytes only). */
      readonly differing: number;
    };

/** The outcome of checking one read against the model. */
export interface ReadCheck {
  /** Bytes compared with known content. */
  readonly checked: number;
  /** Bytes returned that the model cannot vouch for (unknown ranges). */
  readonly skipped: number;
  readonly mismatch: Mismatch | null;
}

/**
 * What one file of a target must contain: a copy of its bytes, updated by every write that
 * completed, and the ranges whose content is unknown because a write to them was aborted or
 * failed part way. Such a write may have landed none, some or all of its bytes (a request split
 * into fragments completes them in any order), so its whole unsure part is unknown until a later
 * write that completes covers it again. Reads are checked against the known bytes only.
 *
 * The file's length never changes: the soak writes only inside it.
 */
export class FileModel {
  readonly name: string;
  readonly #content: Buffer;
  readonly #unknown = new RangeSet();

  constructor(name: string, initial: Uint8Array) {
    this.name = name;
    this.#content = Buffer.from(initial);
  }

  get size(): number {
    return this.#content.length;
  }

  /** The unknown ranges, sorted. */
  get unknown(): RangeSet {
    return this.#unknown;
  }

  /** A copy of the known content at `[start, end)` (for messages and tests). */
  expected(start: number, end: number): Buffer {
    return Buffer.from(this.#content.subarray(start, end));
  }

  /**
   * A write of `data` at `position` that settled having transferred its first `transferred`
   * bytes (contiguously; all of them for a complete write). Those bytes are known now; the rest
   * may have landed anyway (a later fragment can complete after an earlier one came up short or
   * failed), so they are unknown.
   */
  writeSettled(position: number, data: Uint8Array, transferred: number): void {
    this.#inside(position, data.length);
    const landed = Math.max(0, Math.min(transferred, data.length));
    this.#content.set(data.subarray(0, landed), position);
    this.#unknown.remove(position, position + landed);
    this.#unknown.add(position + landed, position + data.length);
  }

  /**
   * A write whose outcome is not known (aborted, or failed before it said how much landed): any
   * of its bytes may have changed. Call it only once the backend let go of the request (the
   * abort error's `released`), so that no byte of it can still land after a later write.
   */
  writeUnknown(position: number, length: number): void {
    this.#inside(position, length);
    this.#unknown.add(position, position + length);
  }

  /** The length a read of `length` bytes at `position` must return: short only at the end. */
  expectedLength(position: number, length: number): number {
    return Math.max(0, Math.min(length, this.size - position));
  }

  /** Check what a read of `length` bytes at `position` returned. */
  check(position: number, length: number, actual: Uint8Array): ReadCheck {
    const want = this.expectedLength(position, length);
    if (actual.length !== want) {
      return { checked: 0, skipped: 0, mismatch: { kind: 'length', position, expected: want, actual: actual.length } };
    }
    let checked = 0;
    let first: { position: number; expected: number; actual: number } | null = null;
    let differing = 0;
    for (const { start, end } of this.#unknown.outside(position, position + want)) {
      const got = actual.subarray(start - position, end - position);
      const model = this.#content.subarray(start, end);
      checked += end - start;
      if (model.equals(got)) continue;
      for (let i = 0; i < got.length; i++) {
        if (got[i] === model[i]) continue;
        differing++;
        first ??= { position: start + i, expected: model[i]!, actual: got[i]! };
      }
    }
    return { checked, skipped: want - checked, mismatch: first === null ? null : { kind: 'bytes', ...first, differing } };
  }

  #inside(position: number, length: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || length < 0 || position + length > this.size) {
      throw new RangeError(`${this.name}: the soak writes only inside the file: [${position}, ${position + length}) of ${this.size}`);
    }
  }
}
