/**
 * A yauzl `RandomAccessReader` over any `PacketIo`: list and extract the entries of a ZIP file
 * on a local @mfio/rt file, a netfs file or an S3 object with the same code, reading only the
 * central directory and the entries you open. Needs the `yauzl` package (an optional peer
 * dependency, loaded by this module).
 * @example
 * import { openZip } from '@mfio/adapters/yauzl';
 * const zip = await openZip(await rt.open('archive.zip'), { lazyEntries: true });
 * for await (const entry of zip.eachEntry()) console.log(entry.fileName);
 * @module \@mfio/adapters/yauzl
 */
import { Readable } from 'node:stream';
import { chunks, MfioError, readExactAt, type PacketIo } from '@mfio/core';
import yauzl from 'yauzl';
import { byteLengthOf, type AdapterOptions, type SizedPacketIo } from './sized-io.js';

export type { AdapterOptions, SizedPacketIo } from './sized-io.js';

/** {@link openZip}'s options: the size, and yauzl's own (`lazyEntries`, `decodeStrings`, …). */
export interface OpenZipOptions extends AdapterOptions, yauzl.Options {}

/**
 * yauzl's reader interface on a `PacketIo`: the central directory and headers through
 * `readExactAt` straight into yauzl's buffer, entry data through mfio's `chunks` (reads
 * running ahead of the inflater). Closing it (yauzl does when its last stream ends, with
 * `autoClose`) leaves the file open: it stays yours to close.
 */
export class PacketIoZipReader extends yauzl.RandomAccessReader {
  readonly #io: PacketIo<number>;

  constructor(io: PacketIo<number>) {
    super();
    this.#io = io;
  }

  /** yauzl's hook for entry data: `[start, end)` of the file through `chunks`, ending short with ERR_UNEXPECTED_EOF. */
  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(exactly(this.#io, start, end - start), { objectMode: false });
  }

  /** yauzl's hook for headers: `length` bytes at `position` into `buffer` at `offset`, with `readExactAt`. */
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    // The callback runs on a tick of its own, so an exception it throws is an uncaught one, as
    // from any Node callback, not a rejection of this promise.
    readExactAt(this.#io, position, buffer.subarray(offset, offset + length)).then(
      () => process.nextTick(callback, null),
      (error: Error) => process.nextTick(callback, error),
    );
  }
}

/**
 * `length` bytes from `start`, chunk by chunk with reads running ahead; ending short is
 * `ERR_UNEXPECTED_EOF` (as `readExactAt` says it), not a quiet end that yauzl would report
 * without a code.
 */
async function* exactly(io: PacketIo<number>, start: number, length: number): AsyncGenerator<Buffer> {
  let got = 0;
  for await (const chunk of chunks(io, { start, length })) {
    got += chunk.length;
    yield chunk;
  }
  if (got < length) {
    const error = new MfioError('ERR_UNEXPECTED_EOF', `Unexpected end of file: wanted ${length} bytes at position ${start}, got ${got}`, {
      position: start,
    });
    error.bytesTransferred = got;
    throw error;
  }
}

/**
 * Open the ZIP file `io` with yauzl: `yauzl.fromRandomAccessReader` on a
 * {@link PacketIoZipReader}. The `ZipFile` is yauzl's, with its whole API
 * (`readEntry`/`entry` events, `openReadStream`, and the promise forms).
 * @throws {MfioError|Error} from the promise: `ERR_INVALID_ARG_TYPE` when `io` is not a PacketIo
 *   or cannot tell its size (pass `byteLength`); yauzl's errors for a file that is not a ZIP;
 *   I/O errors as the backend reports them.
 */
export async function openZip(io: PacketIo<number> | SizedPacketIo, options: OpenZipOptions = {}): Promise<yauzl.ZipFile> {
  const size = await byteLengthOf(io, options);
  const { byteLength: _size, ...zipOptions } = options;
  return yauzl.fromRandomAccessReaderPromise(new PacketIoZipReader(io), size, zipOptions);
}
