/**
 * hyparquet's `AsyncBuffer` over any `PacketIo`: read Parquet from a local @mfio/rt file, a
 * netfs file or an S3 object with the same code. Needs the `hyparquet` package (an optional
 * peer dependency; this module only uses its types).
 * @example
 * import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
 * import { asyncBufferFrom } from '@mfio/adapters/hyparquet';
 * const file = await rt.open('data.parquet');
 * const buffer = await asyncBufferFrom(file);
 * const metadata = await parquetMetadataAsync(buffer);
 * const rows = await parquetReadObjects({ file: buffer, metadata, columns: ['id'] });
 * @module \@mfio/adapters/hyparquet
 */
import { MfioError, outOfRange, type PacketIo } from '@mfio/core';
import type { AsyncBuffer } from 'hyparquet';
import { RangeBatcher } from './range-batcher.js';
import { byteLengthOf, type AdapterOptions, type SizedPacketIo } from './sized-io.js';

export type { AdapterOptions, SizedPacketIo } from './sized-io.js';

/**
 * An `AsyncBuffer` of `io`'s bytes `[0, byteLength)`. `slice(start, end)` reads
 * `[start, end)` (`end` defaults to the size); the slices hyparquet asks for in one go (a row
 * group's column chunks, a page index) reach the backend as one `readMany` batch. Each slice is
 * its own `ArrayBuffer`. The file stays yours to close, after the last read.
 * @throws {MfioError} from the promise: `ERR_INVALID_ARG_TYPE` when `io` is not a PacketIo or
 *   cannot tell its size (pass `byteLength`). From `slice`: `ERR_OUT_OF_RANGE` for a range
 *   outside `[0, byteLength]` or reversed; I/O errors as the backend reports them. A slice the
 *   file cannot fill (it shrank) rejects with `ERR_UNEXPECTED_EOF` rather than come back short.
 */
export async function asyncBufferFrom(io: PacketIo<number> | SizedPacketIo, options?: AdapterOptions): Promise<AsyncBuffer> {
  const byteLength = await byteLengthOf(io, options);
  const batcher = new RangeBatcher(io);
  return {
    byteLength,
    async slice(start: number, end: number = byteLength): Promise<ArrayBuffer> {
      if (!Number.isSafeInteger(start) || start < 0 || start > byteLength) throw outOfRange('start', `>= 0 and <= ${byteLength}`, start);
      if (!Number.isSafeInteger(end) || end < start || end > byteLength) throw outOfRange('end', `>= ${start} and <= ${byteLength}`, end);
      const data = await batcher.read(start, end - start);
      if (data.byteLength !== end - start) throw shortSlice(start, end, data.byteLength);
      return data;
    },
  };
}

/** The error `readExactAt` gives for the same short read. */
function shortSlice(start: number, end: number, got: number): MfioError {
  const error = new MfioError('ERR_UNEXPECTED_EOF', `Unexpected end of file: wanted ${end - start} bytes at position ${start}, got ${got}`, {
    syscall: 'read',
    position: start,
  });
  error.bytesTransferred = got;
  return error;
}
