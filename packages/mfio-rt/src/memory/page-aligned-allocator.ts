import { defaultReadAllocator, SlabAllocator, type ReadAllocator } from '@mfio/core';
import { loadAddon } from '../native/addon.js';
import { arenaBuffer } from './read-arena.js';

/**
 * From here up, large reads take recycled arena memory: a fresh 64 KiB costs about as much as the
 * read that fills it (page faults), while at 4 KiB the arena gained nothing over the slabs.
 */
const ARENA_FROM = 16 << 10;

let shared: ReadAllocator | undefined;

/**
 * The read destinations of every file this package opens: small reads cut from shared slabs
 * (8 KiB under a page; 64 KiB and page-aligned from 4 KiB up); from 16 KiB, recycled memory of the read arena (see
 * `arenaBuffer`), else memory of their own that starts on a page boundary. Sync reads never take
 * arena memory: it comes back only when the event loop turns, which a `readAtSync` loop never lets
 * happen (20,000 reads of 64 KiB mapped the arena's whole 1 GiB). Without the native
 * addon (which alone sees addresses) this is the core's unaligned default.
 */
export function pageAlignedAllocator(): ReadAllocator {
  if (shared !== undefined) return shared;
  let pageOffset: ((buffer: Uint8Array) => number) | undefined;
  try {
    pageOffset = loadAddon().pageOffset;
  } catch {
    // no addon: unaligned, still pooled
  }
  shared =
    pageOffset === undefined
      ? defaultReadAllocator
      : new SlabAllocator({ pageOffset, large: (length, { sync }) => (length >= ARENA_FROM && sync !== true ? arenaBuffer(length) : undefined) });
  return shared;
}
