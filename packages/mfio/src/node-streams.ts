import { Readable, Writable } from 'node:stream';
import { chunks, CHUNK_OPTION_KEYS, type ChunkOptions } from './chunks.js';
import { checkOptions } from './options.js';
import { abortError } from './errors.js';
import type { PacketIo } from './packet-io.js';
import { PositionalWriter } from './positional-writer.js';
import type { Position } from './position.js';
import type { IoOptions } from './submit.js';

export interface ReadStreamOptions extends ChunkOptions {
  /** The Readable's buffer size in bytes (Node's default when omitted). */
  highWaterMark?: number;
}

/**
 * A Node `Readable` of the bytes of `io` from `start`, with reads running ahead.
 * Destroying the stream cancels the reads in flight.
 * @example createReadStream(file).pipe(createHash('sha256'));
 */
export function createReadStream(io: PacketIo<number>, options: ReadStreamOptions = {}): Readable {
  checkOptions(options, [...CHUNK_OPTION_KEYS, 'highWaterMark']);
  const { highWaterMark, ...chunkOptions } = options;
  return Readable.from(chunks(io, chunkOptions), {
    objectMode: false,
    ...(highWaterMark === undefined ? {} : { highWaterMark }),
  });
}

export interface WriteStreamOptions extends IoOptions {
  /** Where the first byte goes (default 0). */
  start?: Position;
  /** Writes running at once (default 4). */
  inFlight?: number;
  /** The Writable's buffer size in bytes (Node's default when omitted). */
  highWaterMark?: number;
}

/**
 * A Node `Writable` writing consecutive chunks at increasing positions, several in flight.
 * `'finish'` is emitted once every byte has landed. Do not modify a chunk after writing it.
 */
export function createWriteStream(io: PacketIo<number>, options: WriteStreamOptions = {}): Writable {
  checkOptions(options, ['signal', 'start', 'inFlight', 'highWaterMark']);
  // Aborting destroys the stream at once (a pipeline feeding it fails instead of hanging).
  let stream: Writable | undefined;
  const writer = new PositionalWriter(io, options.start ?? 0, {
    inFlight: options.inFlight ?? 4,
    signal: options.signal,
    onAbort: (error) => stream?.destroy(error as Error),
  });
  stream = new Writable({
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    write(chunk: Buffer, _encoding, callback) {
      writer.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      writer.flush().then(() => callback(), callback);
    },
    destroy(error, callback) {
      // Cancels whatever is still in flight (nothing, after a normal finish).
      writer.abort(error ?? abortError());
      callback(error);
    },
  });
  if (options.signal?.aborted) stream.destroy(abortError(options.signal));
  return stream;
}
