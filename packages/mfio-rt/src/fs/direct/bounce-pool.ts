import { alignedBuffer } from '../../aligned-buffer.js';

/** Sizes pooled: 4 KiB to 1 MiB in powers of two; larger bounces are allocated each time. */
const SMALLEST = 4096;
const LARGEST = 1 << 20;
/** Buffers kept per size: enough for 64 requests in flight, no more held when idle. */
const KEEP = 64;

/**
 * Page-aligned scratch for direct I/O that does not meet the file's alignment: a request is
 * rounded out to whole blocks and read or written through one of these. Pooled by size, since a
 * fresh page-aligned buffer costs page faults comparable to the 4 KiB read it serves. A buffer is
 * given back only once the kernel has finished with it (its packet settled).
 */
export class BouncePool {
  readonly #free = new Map<number, Buffer[]>();

  /** A page-aligned buffer of at least `size` bytes (its contents are whatever was there). */
  take(size: number): Buffer {
    const pooled = size <= LARGEST ? classOf(size) : 0;
    if (pooled === 0) return alignedBuffer(size);
    return this.#free.get(pooled)?.pop() ?? alignedBuffer(pooled);
  }

  give(buffer: Buffer): void {
    const size = buffer.length;
    if (size > LARGEST || classOf(size) !== size) return;
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, (list = []));
    if (list.length < KEEP) list.push(buffer);
  }
}

function classOf(size: number): number {
  let c = SMALLEST;
  while (c < size) c *= 2;
  return c;
}

/** One pool for the process: bounce buffers are interchangeable between files. */
export const bouncePool = new BouncePool();
