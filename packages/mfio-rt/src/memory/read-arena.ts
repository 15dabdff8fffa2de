import { constants as bufferConstants } from 'node:buffer';
import { markAsUntransferable } from 'node:worker_threads';
import { invalidArgType, outOfRange } from '@mfio/core';
import { loadAddon, type ArenaStats, type NativeAddon } from '../native/addon.js';

export type { ArenaStats } from '../native/addon.js';

/** Options of {@link arenaBuffer}. */
export interface ArenaBufferOptions {
  /**
   * Zero the bytes before handing the Buffer out. Only bytes an earlier Buffer held are cleared
   * (memory never handed out is already zero), but that is most of them once the arena is warm:
   * 4 MiB batches of 64 KiB reads ran at 0.69x a reused buffer's speed instead of 0.78x. Default
   * false.
   */
  zero?: boolean;
}

/** Options of {@link configureArena}; omitted fields keep their value. */
export interface ArenaOptions {
  /** Bytes of wholly free memory kept mapped for reuse; past this it is unmapped. Default 64 MiB. */
  keepBytes?: number;
  /** Bytes mapped at most; past this {@link arenaBuffer} returns undefined. Default 1 GiB. */
  maxBytes?: number;
}

type ArenaAddon = Required<Pick<NativeAddon, 'arenaAllocate' | 'arenaStats' | 'arenaTrim' | 'arenaConfigure'>>;

/** The addon's arena functions, or null where there are none (no addon, Windows). */
let arena: ArenaAddon | null | undefined;

function native(): ArenaAddon | null {
  if (arena === undefined) {
    arena = null;
    try {
      const addon = loadAddon();
      const { arenaAllocate, arenaStats, arenaTrim, arenaConfigure } = addon;
      if (arenaAllocate && arenaStats && arenaTrim && arenaConfigure) arena = { arenaAllocate, arenaStats, arenaTrim, arenaConfigure };
    } catch {
      // no addon: arenaBuffer() returns undefined, the caller allocates as before
    }
  }
  return arena;
}

function checkSize(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw outOfRange(name, `an integer from 0 to ${max}`, value);
  return value;
}

/**
 * A Buffer of `length` bytes from the read arena: page-aligned memory that is recycled, already
 * faulted in, when the Buffer (its ArrayBuffer, and every view on it) is garbage-collected. For
 * read destinations: a fresh `Buffer.alloc` for 64 random 64 KiB page-cache reads cost more than
 * the reads (page faults, glibc trimming, V8 collecting rarely and in bulk), and `readMany` into a
 * fresh arena Buffer per batch ran at 0.78x the speed of one reused buffer where a fresh
 * `Buffer.alloc` ran at 0.42x (io_uring). For single reads under 16 KiB it is no faster than
 * `Buffer.alloc`.
 *
 * **The contents are not zeroed** (unless `options.zero`): like `Buffer.allocUnsafe`, a recycled
 * Buffer holds whatever an earlier arena Buffer of this thread held, e.g. bytes of another file.
 * Whoever reads into it must zero, or never expose, every byte the read did not fill (the tail
 * of a short read at end of file).
 *
 * Memory goes back to the arena only when V8 collects the Buffer and Node runs its finalizer on a
 * later turn of the event loop: a loop that drops arena Buffers without yielding gets none back
 * meanwhile, and past `maxBytes` mapped this returns undefined. Each thread (main, worker) has
 * its own arena; {@link arenaStats} shows its size, {@link configureArena} its limits.
 * @returns the Buffer, or undefined where the arena cannot serve (no native addon, Windows, the
 * `maxBytes` cap, a host without external buffers): allocate as before then.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE if `length` is not an integer
 * from 0 to `buffer.constants.MAX_LENGTH`.
 * @example
 * const into = arenaBuffer(64 * 65536) ?? alignedBuffer(64 * 65536);
 * const r = await file.readMany({ positions, lengths: 65536 }, { into });
 * // bytes past r.lengths[i] in request i's slot were not read: do not expose them
 */
export function arenaBuffer(length: number, options?: ArenaBufferOptions): Buffer | undefined {
  checkSize('length', length, bufferConstants.MAX_LENGTH);
  const zero = options?.zero ?? false;
  if (typeof zero !== 'boolean') throw invalidArgType('options.zero', 'of type boolean', zero);
  const addon = native();
  if (addon === null) return undefined;
  if (length === 0) return Buffer.alloc(0);
  const buffer = addon.arenaAllocate(length, zero);
  // Moved to another thread, it would outlive its finalizer (Node runs it at this thread's
  // teardown anyway) and point into memory the arena reuses or unmaps.
  if (buffer !== undefined) markAsUntransferable(buffer.buffer);
  return buffer;
}

/**
 * What this thread's read arena holds now: chunks and bytes mapped, live (in Buffers not yet
 * collected) and empty (kept for reuse), allocations and how many were recycled, the limits.
 * @returns the figures, or undefined where there is no arena (no native addon, Windows).
 * @example
 * const s = arenaStats();
 * if (s) console.log(`${s.bytesMapped >> 20} MiB mapped, ${s.bytesLive >> 20} MiB in Buffers`);
 */
export function arenaStats(): ArenaStats | undefined {
  return native()?.arenaStats();
}

/**
 * Give wholly free arena memory back to the system, keeping at most `keepBytes` of it. Memory in
 * live Buffers stays (and so does the rest of a chunk one of them is in).
 * @throws {MfioError} ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE for a `keepBytes` that is not a
 * non-negative integer.
 * @example trimArena(); // after a burst of reads, before going idle
 */
export function trimArena(keepBytes = 0): void {
  checkSize('keepBytes', keepBytes, Number.MAX_SAFE_INTEGER);
  native()?.arenaTrim(keepBytes);
}

/**
 * Set this thread's arena limits (see {@link ArenaOptions}); lowering `keepBytes` trims at once.
 * Raise `keepBytes` above the default 64 MiB for batches of tens of MiB, or the arena unmaps at
 * each garbage collection what the next batches fault in again.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE for a field that is not a
 * non-negative integer.
 * @example configureArena({ keepBytes: 256 << 20 });
 */
export function configureArena(options: ArenaOptions): void {
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
  const addon = native();
  const current = addon?.arenaStats();
  const keep = options.keepBytes === undefined ? current?.keepBytes : checkSize('options.keepBytes', options.keepBytes, Number.MAX_SAFE_INTEGER);
  const max = options.maxBytes === undefined ? current?.maxBytes : checkSize('options.maxBytes', options.maxBytes, Number.MAX_SAFE_INTEGER);
  if (addon === null || keep === undefined || max === undefined) return;
  addon.arenaConfigure(keep, max);
}
