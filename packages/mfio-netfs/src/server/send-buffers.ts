import { alignedBuffer } from '@mfio/rt';

/** The smallest block: a page. Smaller reads share Node's pool with their frame header. */
const SMALLEST = 4096;

/**
 * The buffers READ_DATA is read into and sent from, shared by the server's connections and used
 * again once the socket has written them. The server is their only user, and the socket's write callback
 * says exactly when the kernel has taken the bytes, so they can be recycled by hand: no garbage
 * collection, no fresh memory. With a fresh buffer per fragment, 64 KiB reads 64 at a time cost
 * the server page faults on new memory and major collections; a connection's working set is
 * now bounded by its reads in flight and stays in the cache (the server keeps `keepBytes` of free
 * blocks for all connections together).
 *
 * Blocks are page-aligned (the kernel copies page-cache data into them fastest), one free list
 * per power-of-two size from a page up; a buffer handed out is the first `n` bytes of a block.
 * Nothing is zeroed: only the bytes a read filled are ever sent.
 */
export class SendBuffers {
  /** Free blocks by size class (index = log2(size / SMALLEST)). */
  readonly #free: Buffer[][] = [];
  /** Bytes of the free blocks, kept at most `#keepBytes`. */
  #freeBytes = 0;
  readonly #keepBytes: number;

  /** `keepBytes`: free blocks kept for reuse at most; past it a returned block is let go. */
  constructor(keepBytes: number) {
    this.#keepBytes = keepBytes;
  }

  /** A page-aligned buffer of `n` bytes (a page or more), contents unspecified. */
  take(n: number): Buffer {
    const sizeClass = classOf(n);
    const block = this.#free[sizeClass]?.pop();
    if (block === undefined) return alignedBuffer(SMALLEST << sizeClass).subarray(0, n);
    this.#freeBytes -= block.length;
    return block.length === n ? block : block.subarray(0, n);
  }

  /**
   * Give back a buffer from {@link take}, once nothing reads into it or sends from it: its socket
   * write has completed (or failed), or it was never sent. Give each back once.
   */
  give(buffer: Buffer): void {
    const size = SMALLEST << classOf(buffer.length);
    if (this.#freeBytes + size > this.#keepBytes) return;
    // The whole block again: `take` cut `buffer` from the start of one of `size` bytes.
    const block = buffer.length === size ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, size);
    (this.#free[classOf(size)] ??= []).push(block);
    this.#freeBytes += size;
  }
}

/** The size class of a buffer of `n` bytes: the log2 of its block size in pages. */
function classOf(n: number): number {
  let sizeClass = 0;
  while (SMALLEST << sizeClass < n) sizeClass++;
  return sizeClass;
}
