import { invalidArgType, outOfRange, type PacketIo } from '@mfio/core';

/**
 * What every adapter reads from: a `PacketIo<number>` (an @mfio/rt file, a netfs file, an S3
 * object, a `MemoryFile`) that can report its size. The libraries need the size up front
 * (a Parquet footer and a ZIP's central directory sit at the end of the file).
 */
export interface SizedPacketIo extends PacketIo<number> {
  /** The file's metadata: only its length in bytes is used. */
  metadata(): Promise<{
    /** The size in bytes. */
    readonly len: number;
  }>;
}

/** Options every adapter takes. */
export interface AdapterOptions {
  /**
   * The file's size in bytes, if you know it: skips the `metadata()` call, and lets a plain
   * `PacketIo` without `metadata()` be read.
   */
  byteLength?: number;
}

/**
 * The size to read up to: `options.byteLength`, else the file's `metadata().len`.
 * @throws {MfioError} `ERR_INVALID_ARG_TYPE` when `io` is not a PacketIo or has neither;
 *   `ERR_OUT_OF_RANGE` for a byteLength that is not a safe non-negative integer.
 */
export async function byteLengthOf(io: PacketIo<number> | SizedPacketIo, options: AdapterOptions | undefined): Promise<number> {
  if (typeof io !== 'object' || io === null || typeof io.sendIo !== 'function') throw invalidArgType('io', 'a PacketIo (an object with sendIo)', io);
  const given = options?.byteLength;
  if (given !== undefined) {
    if (!Number.isSafeInteger(given) || given < 0) throw outOfRange('options.byteLength', 'a safe integer >= 0', given);
    return given;
  }
  if (!('metadata' in io) || typeof io.metadata !== 'function') {
    throw invalidArgType('io', 'a PacketIo with metadata(), or options.byteLength', io);
  }
  return (await io.metadata()).len;
}
