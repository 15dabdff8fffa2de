import { constants as bufferConstants } from 'node:buffer';
import { abortError, MfioError, outOfRange } from './errors.js';
import type { PacketIo } from './packet-io.js';
import { toLength, toPosition, type Position } from './position.js';
import { readAt } from './read-write.js';
import type { IoOptions } from './submit.js';

export interface ChunkOptions extends IoOptions {
  /** Where to start reading (default 0). */
  start?: Position;
  /** Read at most this many bytes (default: to end of file). */
  length?: number;
  /** Bytes per read (default 64 KiB). */
  chunkSize?: number;
  /** Reads kept in flight ahead of the consumer (default 4). */
  inFlight?: number;
}

const DEFAULT_CHUNK = 64 * 1024;
const DEFAULT_IN_FLIGHT = 4;
const noop = (): void => {};

/**
 * Iterate the bytes of `io` in order, chunk by chunk, with `inFlight` reads running ahead of the
 * consumer. Ends at end of file (the first short read) or after `length` bytes. Breaking out of
 * the loop cancels the reads running ahead.
 * @example for await (const chunk of chunks(file, { chunkSize: 1 << 20 })) hash.update(chunk);
 * @throws {MfioError} argument errors at once; I/O errors and ABORT_ERR from the iteration.
 */
export function chunks(io: PacketIo<number>, options: ChunkOptions = {}): AsyncGenerator<Buffer, void, undefined> {
  const start = toPosition(options.start ?? 0, 0, 'options.start');
  const limit = options.length === undefined ? Infinity : toLength(options.length, 'options.length');
  const chunkSize = atLeastOne(options.chunkSize ?? DEFAULT_CHUNK, 'options.chunkSize');
  const inFlight = atLeastOne(options.inFlight ?? DEFAULT_IN_FLIGHT, 'options.inFlight');
  return readAhead(io, start, limit, chunkSize, inFlight, options.signal);
}

async function* readAhead(
  io: PacketIo<number>,
  start: number,
  limit: number,
  chunkSize: number,
  inFlight: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer, void, undefined> {
  if (signal?.aborted) throw abortError(signal);
  // Our own controller, so that leaving the loop early cancels the reads running ahead.
  const controller = new AbortController();
  const forward = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', forward, { once: true });
  const queue: Array<{ read: Promise<Buffer>; length: number }> = [];
  let issued = 0;
  const issue = (): void => {
    while (queue.length < inFlight && issued < limit) {
      const length = Math.min(chunkSize, limit - issued);
      const read = readAt(io, start + issued, length, { signal: controller.signal });
      read.catch(noop); // awaited below, or abandoned on an early exit
      queue.push({ read, length });
      issued += length;
    }
  };
  try {
    issue();
    while (queue.length > 0) {
      const { read, length } = queue.shift()!;
      const chunk = await read;
      const atEnd = chunk.length < length;
      if (!atEnd) issue();
      if (chunk.length > 0) yield chunk;
      if (atEnd) return;
    }
  } finally {
    signal?.removeEventListener('abort', forward);
    if (queue.length > 0) controller.abort();
  }
}

export interface ReadToEndOptions extends IoOptions {
  chunkSize?: number;
  inFlight?: number;
  /** Fail with ERR_FS_FILE_TOO_LARGE past this many bytes (default: the largest Buffer). */
  maxLength?: number;
}

/**
 * Read from `position` to end of file into one Buffer, with reads in flight ahead.
 * @throws {MfioError} ERR_FS_FILE_TOO_LARGE past `maxLength`; I/O errors; ABORT_ERR.
 */
export async function readToEnd(io: PacketIo<number>, position: Position = 0, options: ReadToEndOptions = {}): Promise<Buffer> {
  const maxLength = toLength(options.maxLength ?? bufferConstants.MAX_LENGTH, 'options.maxLength', bufferConstants.MAX_LENGTH);
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks(io, { ...options, start: position, length: maxLength + 1 })) {
    total += chunk.length;
    if (total > maxLength) {
      throw new MfioError('ERR_FS_FILE_TOO_LARGE', `The data is larger than maxLength (${maxLength} bytes)`);
    }
    parts.push(chunk);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** @internal a positive integer option. */
export function atLeastOne(value: unknown, name: string): number {
  const n = toLength(value, name);
  if (n < 1) throw outOfRange(name, 'an integer >= 1', value);
  return n;
}
