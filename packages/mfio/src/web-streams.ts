import { ReadableStream, WritableStream, type WritableStreamDefaultController } from 'node:stream/web';
import { checkOptions } from './options.js';
import { chunks, type ChunkOptions } from './chunks.js';
import { abortError, invalidArgType } from './errors.js';
import type { PacketIo } from './packet-io.js';
import { PositionalWriter } from './positional-writer.js';
import type { WriteStreamOptions } from './node-streams.js';

/**
 * A Web `ReadableStream` of the bytes of `io`, pulled chunk by chunk with reads running ahead.
 * Cancelling the stream cancels the reads in flight.
 */
export function readableWebStream(io: PacketIo<number>, options: ChunkOptions = {}): ReadableStream<Uint8Array> {
  const iterator = chunks(io, options);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** A Web `WritableStream` writing consecutive chunks at increasing positions, several in flight. */
export function writableWebStream(io: PacketIo<number>, options: Omit<WriteStreamOptions, 'highWaterMark'> = {}): WritableStream<Uint8Array> {
  checkOptions(options, ['signal', 'start', 'inFlight']);
  let controller: WritableStreamDefaultController | undefined;
  const writer = new PositionalWriter(io, options.start ?? 0, {
    inFlight: options.inFlight ?? 4,
    signal: options.signal,
    // Aborting errors the stream at once (a pipeTo feeding it fails instead of hanging).
    onAbort: (error) => controller?.error(error),
  });
  return new WritableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (options.signal?.aborted) c.error(abortError(options.signal));
    },
    write(chunk) {
      if (!(chunk instanceof Uint8Array)) throw invalidArgType('chunk', 'an instance of Uint8Array', chunk);
      return writer.write(chunk);
    },
    close() {
      return writer.flush();
    },
    abort(reason) {
      writer.abort(reason);
    },
  });
}
