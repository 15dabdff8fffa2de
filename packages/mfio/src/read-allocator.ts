import { constants as bufferConstants } from 'node:buffer';
import { markAsUntransferable } from 'node:worker_threads';
import { outOfRange } from './errors.js';

const PAGE = 4096;
/** Small slices start on a cache line, so two reads never share one. */
const LINE = 64;

/**
 * Where the library gets the buffers it reads into when the caller gives none (`readAt(pos,
 * length)`, `readMany` without `into`, the streams). A backend offers its own through
 * {@link PacketIo.readAllocator} (`@mfio/rt`'s are page-aligned); otherwise
 * {@link defaultReadAllocator} serves.
 */
export interface ReadAllocator {
  /**
   * A Buffer of exactly `length` bytes whose contents are unspecified: the caller overwrites or
   * zeroes every byte before anyone else sees it (a read zeroes what it did not fill). Its
   * `.buffer` may be a slab shared with other reads' buffers (as `Buffer.allocUnsafe`'s pool is).
   */
  allocate(length: number, hints?: AllocationHints): Buffer;
}

/** What the caller of {@link ReadAllocator.allocate} tells about its use of the buffer. */
export interface AllocationHints {
  /**
   * The caller is synchronous (`readAtSync`) and may allocate again and again without the event
   * loop turning: memory that comes back only on a later turn (a recycling arena's, which V8
   * returns through finalizers) would pile up, so such memory must not be used.
   */
  readonly sync?: boolean;
}

/** Options of {@link SlabAllocator}. */
export interface SlabAllocatorOptions {
  /**
   * Bytes per slab of page-sized slices (default 64 KiB); sub-page slices use slabs of at most
   * 8 KiB. A kept slice keeps its whole slab alive.
   */
  slabSize?: number;
  /** Largest length served from a slab (default 8 KiB); longer ones get their own memory. */
  maxPooled?: number;
  /**
   * Bytes from the start of a buffer to the next page boundary (the native addon knows; JS cannot
   * see addresses). Given, slices of a page or more start on a page boundary.
   */
  pageOffset?: (buffer: Uint8Array) => number;
  /**
   * Memory for a buffer too large for a slab, contents unspecified (a recycling arena's, where
   * fresh memory would cost page faults); undefined lets the allocator make its own.
   */
  large?: (length: number, hints: AllocationHints) => Buffer | undefined;
}

/**
 * Cuts small reads' buffers from shared slabs and gives large ones their own memory.
 *
 * A `Buffer.alloc(4096)` costs about as much as the 4 KiB page-cache read that fills it (1.1 µs
 * here: calloc, a V8 backing store, its collection); a slice of a slab costs a tenth of that.
 * Reads of `readAt(pos, 4096)` ran at 0.56x the speed of reads into one reused buffer with
 * `Buffer.alloc`, 0.91x with 64 KiB slabs (16 KiB slabs: 0.66x, their own allocation dominates).
 * Reads under a page share 8 KiB slabs (the size of Node's own pool), so a small read kept for
 * long keeps at most 8 KiB alive; reads of a page or more share `slabSize` slabs, page-aligned
 * with `pageOffset`. Slabs are zeroed when made and never reused, so a slice's `.buffer` shows
 * only zeros and bytes this process read. Large buffers skip calloc's zeroing (their reader zeroes what it does
 * not fill) and, with `pageOffset`, start on a page boundary.
 * @example
 * const allocator = new SlabAllocator({ slabSize: 1 << 16 });
 * const into = allocator.allocate(4096); // bytes unspecified until a read fills them
 */
export class SlabAllocator implements ReadAllocator {
  readonly #slabSize: number;
  readonly #maxPooled: number;
  readonly #pageOffset: ((buffer: Uint8Array) => number) | undefined;
  readonly #large: ((length: number, hints: AllocationHints) => Buffer | undefined) | undefined;
  /** Slices of a page or more, page-aligned. */
  readonly #pages: Slab = { memory: null, used: 0 };
  /** Smaller slices, from slabs of at most 8 KiB (as Node's own pool): a kept one holds little. */
  readonly #small: Slab = { memory: null, used: 0 };

  /** @throws {MfioError} ERR_OUT_OF_RANGE if `maxPooled` is larger than `slabSize` or either is not a positive integer. */
  constructor(options: SlabAllocatorOptions = {}) {
    const slabSize = options.slabSize ?? 64 << 10;
    const maxPooled = options.maxPooled ?? 8 << 10;
    if (!Number.isSafeInteger(slabSize) || slabSize < 1) throw outOfRange('options.slabSize', 'a positive integer', slabSize);
    if (!Number.isSafeInteger(maxPooled) || maxPooled < 0 || maxPooled > slabSize) {
      throw outOfRange('options.maxPooled', `an integer from 0 to slabSize (${slabSize})`, maxPooled);
    }
    this.#slabSize = slabSize;
    this.#maxPooled = maxPooled;
    this.#pageOffset = options.pageOffset;
    this.#large = options.large;
  }

  allocate(length: number, hints: AllocationHints = NO_HINTS): Buffer {
    if (length === 0) return Buffer.alloc(0);
    if (length > this.#maxPooled) return this.#large?.(length, hints) ?? this.#own(length);
    const wholePages = length >= PAGE;
    const slab = wholePages ? this.#pages : this.#small;
    const size = wholePages ? this.#slabSize : Math.min(this.#slabSize, SMALL_SLAB);
    let at = slab.used;
    if (slab.memory === null || at + length > slab.memory.length) {
      slab.memory = newSlab(size, length, wholePages ? this.#pageOffset : undefined);
      at = 0;
    }
    slab.used = roundUp(at + length, wholePages ? PAGE : LINE);
    return slab.memory.subarray(at, at + length);
  }

  /** Memory of its own, uninitialised but for the alignment slack (which `.buffer` shows). */
  #own(length: number): Buffer {
    if (this.#pageOffset === undefined || length > bufferConstants.MAX_LENGTH - PAGE) return Buffer.allocUnsafeSlow(length);
    const raw = Buffer.allocUnsafeSlow(length + PAGE - 1);
    const start = this.#pageOffset(raw);
    raw.fill(0, 0, start);
    raw.fill(0, start + length);
    return raw.subarray(start, start + length);
  }
}

const NO_HINTS: AllocationHints = {};

interface Slab {
  memory: Buffer | null;
  /** Bytes of `memory` handed out (rounded up to the next slice's alignment). */
  used: number;
}

/** Slabs of sub-page slices: Node's pool size, so a kept small read holds at most this much. */
const SMALL_SLAB = 8 << 10;

/** A zeroed slab of `size` bytes (at least `length`), starting on a page boundary with `pageOffset`. */
function newSlab(size: number, length: number, pageOffset: ((buffer: Uint8Array) => number) | undefined): Buffer {
  const bytes = Math.max(size, length);
  const raw = Buffer.alloc(bytes + (pageOffset === undefined ? 0 : PAGE - 1));
  // A slice's `.buffer` is the whole slab, which other reads may still be filling: moving it to
  // another thread (postMessage's transfer list, ArrayBuffer.prototype.transfer) must fail, as
  // it does for Node's own Buffer pool.
  markAsUntransferable(raw.buffer);
  if (pageOffset === undefined) return raw;
  const start = pageOffset(raw);
  return raw.subarray(start, start + bytes);
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The allocator of every `PacketIo` that offers none (not page-aligned: JS cannot see addresses). */
export const defaultReadAllocator: ReadAllocator = new SlabAllocator();
