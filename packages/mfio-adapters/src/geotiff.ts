/**
 * geotiff's data source over any `PacketIo`: read a (Cloud Optimized) GeoTIFF's images and
 * raster windows from a local @mfio/rt file, a netfs file or an S3 object with the same code.
 * Needs the `geotiff` package (an optional peer dependency; this module only uses its types).
 * @example
 * import { GeoTIFF } from 'geotiff';
 * import { geoTiffSource } from '@mfio/adapters/geotiff';
 * const tiff = await GeoTIFF.fromSource(await geoTiffSource(await rt.open('dem.tif')));
 * const image = await tiff.getImage();
 * const [band] = await image.readRasters({ window: [0, 0, 256, 256] });
 * @module \@mfio/adapters/geotiff
 */
import { outOfRange, type PacketIo } from '@mfio/core';
import type { GeoTIFF } from 'geotiff';
import { RangeBatcher } from './range-batcher.js';
import type { ByteRange } from './read-ranges.js';
import { byteLengthOf, type AdapterOptions, type SizedPacketIo } from './sized-io.js';

export type { AdapterOptions, SizedPacketIo } from './sized-io.js';

/** geotiff's `BaseSource` (not exported by name from its entry point). */
type GeoTiffBaseSource = Parameters<typeof GeoTIFF.fromSource>[0];
export type { ByteRange } from './read-ranges.js';

/** What `GeoTIFF.fromSource` calls: geotiff's `BaseSource` shape. */
export interface PacketIoGeoTiffSource {
  /** The file's size, known up front. */
  readonly fileSize: number;
  /**
   * Every slice's bytes, in order. geotiff fetches each tile or strip of a window with a call
   * of its own, all in one go: the slices of every call made in the same run of JavaScript
   * reach the backend as one `readMany` batch. Short only where the file ends first, as an HTTP range
   * request answers (geotiff reads a 1 KiB header even from a smaller file).
   * @throws {MfioError} `ERR_OUT_OF_RANGE` for a slice with a negative or unsafe offset or
   *   length; `ABORT_ERR` when `signal` aborts; I/O errors as the backend reports them.
   */
  fetch(slices: readonly ByteRange[], signal?: AbortSignal): Promise<ArrayBuffer[]>;
  /** Nothing to release: the file stays yours to close, after geotiff's last read. */
  close(): Promise<void>;
}

/**
 * A source for `GeoTIFF.fromSource(source)` reading `io`.
 * @throws {MfioError} from the promise: `ERR_INVALID_ARG_TYPE` when `io` is not a PacketIo or
 *   cannot tell its size (pass `byteLength`).
 */
export async function geoTiffSource(io: PacketIo<number> | SizedPacketIo, options?: AdapterOptions): Promise<PacketIoGeoTiffSource & GeoTiffBaseSource> {
  const fileSize = await byteLengthOf(io, options);
  const batcher = new RangeBatcher(io);
  const source: PacketIoGeoTiffSource = {
    fileSize,
    fetch(slices, signal) {
      for (const [i, { offset, length }] of slices.entries()) {
        if (!Number.isSafeInteger(offset) || offset < 0) return Promise.reject(outOfRange(`slices[${i}].offset`, 'a safe integer >= 0', offset));
        if (!Number.isSafeInteger(length) || length < 0) return Promise.reject(outOfRange(`slices[${i}].length`, 'a safe integer >= 0', length));
      }
      return Promise.all(slices.map(({ offset, length }) => batcher.read(offset, length, signal)));
    },
    close: () => Promise.resolve(),
  };
  // geotiff's BaseSource is a class whose other members (fetchSlice) only its own fetch calls.
  return source as PacketIoGeoTiffSource & GeoTiffBaseSource;
}
