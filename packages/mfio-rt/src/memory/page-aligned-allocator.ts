import { defaultReadAllocator, SlabAllocator, type ReadAllocator } from '@mfio/core';
import { loadAddon } from '../native/addon.js';

let shared: ReadAllocator | undefined;

/**
 * The read destinations of every file this package opens: small reads cut from shared 64 KiB
 * slabs, page-aligned from 4 KiB up; larger reads in memory of their own that starts on a page
 * boundary. The kernel copies page-cache data into a page-aligned destination at full speed
 * (see `alignedBuffer` for the 4K-aliasing figures). Without the native addon (which alone
 * sees addresses) this is the core's unaligned default.
 */
export function pageAlignedAllocator(): ReadAllocator {
  if (shared !== undefined) return shared;
  let pageOffset: ((buffer: Uint8Array) => number) | undefined;
  try {
    pageOffset = loadAddon().pageOffset;
  } catch {
    // no addon: unaligned, still pooled
  }
  shared = pageOffset === undefined ? defaultReadAllocator : new SlabAllocator({ pageOffset });
  return shared;
}
