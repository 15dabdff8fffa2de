import { readAt, readMany, type PacketIo } from '@mfio/core';

/** One byte range to read: `length` bytes from `offset`. */
export interface ByteRange {
  /** Where the range starts in the file. */
  readonly offset: number;
  /** How many bytes. */
  readonly length: number;
}

/**
 * Read every range with one await and hand back one `ArrayBuffer` each, in order: short only
 * where the file ends first (as an HTTP range request answers). Several ranges go to the
 * backend as one `readMany` batch (in flight together, touching ones merged); each result is
 * its own `ArrayBuffer`, as the libraries keep and transfer them (never a view of a buffer
 * shared with other reads).
 */
export async function readRanges(io: PacketIo<number>, ranges: readonly ByteRange[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
  const options = signal === undefined ? {} : { signal };
  if (ranges.length === 1) {
    const { offset, length } = ranges[0]!;
    // One range: read straight into the buffer handed back.
    const into = new Uint8Array(length);
    const got = await readAt(io, offset, into, options);
    return [got === length ? into.buffer : into.buffer.slice(0, got)];
  }
  let total = 0;
  for (const range of ranges) total += range.length;
  const into = new Uint8Array(total);
  const result = await readMany(
    io,
    ranges.map((range) => [range.offset, range.length] as const),
    { ...options, into },
  );
  return ranges.map((_, i) => {
    const start = result.offsets[i]!;
    return into.buffer.slice(start, start + result.lengths[i]!);
  });
}
