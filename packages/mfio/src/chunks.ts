import { constants as bufferConstants } from 'node:buffer';
import { checkOptions } from './options.js';
import { readBuffer, readResult } from './arguments.js';
import { abortError, MfioError, outOfRange } from './errors.js';
import type { PacketIo } from './packet-io.js';
import { toLength, toPosition, type Position } from './position.js';
import { readAt } from './read-write.js';
import { unwatchSignal, watchSignal, type IoOptions } from './submit.js';

export interface ChunkOptions extends IoOptions {
  /** Where to start reading (default 0). */
  start?: Position;
  /** Read at most this many bytes (default: to end of file). Not with `end`. */
  length?: number;
  /**
   * The position of the last byte to read, inclusive, as in Node's `fs.createReadStream({ start,
   * end })`: `{ start: 0, end: 3 }` reads 4 bytes. Not with `length`.
   */
  end?: number;
  /** Bytes per read (default 64 KiB). */
  chunkSize?: number;
  /** Reads kept in flight ahead of the consumer (default 4). */
  inFlight?: number;
}

/** The keys of {@link ChunkOptions}. */
export const CHUNK_OPTION_KEYS = ['signal', 'start', 'length', 'end', 'chunkSize', 'inFlight'] as const;
const READ_TO_END_OPTION_KEYS = ['signal', 'chunkSize', 'inFlight', 'maxLength', 'sizeHint'] as const;

/** How many bytes from `start` to read: `length`, or up to `end` inclusive, or all. */
function chunkLimit(start: number, options: ChunkOptions): number {
  if (options.end === undefined) return options.length === undefined ? Infinity : toLength(options.length, 'options.length');
  if (options.length !== undefined) {
    throw new MfioError('ERR_INVALID_ARG_VALUE', 'The options "length" and "end" cannot be combined: give the byte count, or the last position (inclusive)');
  }
  const end = toPosition(options.end, 0, 'options.end');
  // Node's wording for the same mistake in fs.createReadStream.
  if (end < start) throw outOfRange('start', `<= "end" (here "end" is ${end})`, start);
  return end - start + 1;
}

const DEFAULT_CHUNK = 64 * 1024;
const DEFAULT_IN_FLIGHT = 4;
const noop = (): void => {};

/**
 * Iterate the bytes of `io` in order, chunk by chunk, with `inFlight` reads running ahead of the
 * consumer. Ends at end of file (the first short read) or after `length` bytes. Leaving early
 * (`break`, `return()`, destroying a stream built on it) cancels the reads running ahead at once.
 * @example for await (const chunk of chunks(file, { chunkSize: 1 << 20 })) hash.update(chunk);
 * @throws {MfioError} argument errors at once; I/O errors and ABORT_ERR from the iteration.
 */
export function chunks(io: PacketIo<number>, options: ChunkOptions = {}): AsyncIterableIterator<Buffer> {
  checkOptions(options, CHUNK_OPTION_KEYS);
  const start = toPosition(options.start ?? 0, 0, 'options.start');
  const limit = chunkLimit(start, options);
  const chunkSize = atLeastOne(options.chunkSize ?? DEFAULT_CHUNK, 'options.chunkSize');
  const inFlight = atLeastOne(options.inFlight ?? DEFAULT_IN_FLIGHT, 'options.inFlight');
  return new ReadAhead(io, start, limit, chunkSize, inFlight, options.signal);
}

const DONE: IteratorResult<Buffer> = { done: true, value: undefined };

/**
 * The iterator behind {@link chunks}. Not an async generator: a generator suspended at an
 * `await` cannot be stopped until that read completes, and a consumer that leaves must not wait
 * for a read that may never come.
 */
class ReadAhead implements AsyncIterableIterator<Buffer> {
  readonly #io: PacketIo<number>;
  readonly #start: number;
  readonly #limit: number;
  readonly #chunkSize: number;
  readonly #inFlight: number;
  readonly #signal: AbortSignal | undefined;
  // Our own controller cancels the reads running ahead. The caller's signal reaches it through a
  // WeakRef: an iterator abandoned without return() must not stay pinned to a long-lived signal.
  readonly #controller = new AbortController();
  readonly #forward: () => void;
  #queue: Array<{ read: Promise<Buffer>; length: number }> = [];
  #issued = 0;
  #finished = false;
  #stopped = false;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(io: PacketIo<number>, start: number, limit: number, chunkSize: number, inFlight: number, signal: AbortSignal | undefined) {
    this.#io = io;
    this.#start = start;
    this.#limit = limit;
    this.#chunkSize = chunkSize;
    this.#inFlight = inFlight;
    this.#signal = signal;
    const weak = new WeakRef(this.#controller);
    this.#forward = () => weak.deref()?.abort(signal?.reason);
    if (signal) watchSignal(signal, this.#forward);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Steps run one after another, so concurrent next() calls still get chunks in order. */
  next(): Promise<IteratorResult<Buffer>> {
    const step = this.#tail.then(() => this.#step());
    this.#tail = step.catch(noop);
    return step;
  }

  return(): Promise<IteratorResult<Buffer>> {
    this.#stopped = true;
    this.#finish();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<Buffer>> {
    this.#stopped = true;
    this.#finish();
    return Promise.reject(error);
  }

  async #step(): Promise<IteratorResult<Buffer>> {
    if (this.#finished) return DONE;
    if (this.#signal?.aborted) {
      this.#finish();
      throw abortError(this.#signal);
    }
    this.#issue();
    const head = this.#queue.shift();
    if (head === undefined) {
      this.#finish();
      return DONE;
    }
    let chunk: Buffer;
    try {
      chunk = await head.read;
    } catch (error) {
      const stopped = this.#stopped;
      this.#finish();
      if (stopped) return DONE; // the consumer left: its cancellation is not an error
      throw error;
    }
    if (this.#finished) return DONE;
    const atEnd = chunk.length < head.length;
    if (atEnd) this.#finish();
    else this.#issue();
    return chunk.length > 0 ? { done: false, value: chunk } : DONE;
  }

  #issue(): void {
    while (this.#queue.length < this.#inFlight && this.#issued < this.#limit) {
      const length = Math.min(this.#chunkSize, this.#limit - this.#issued);
      const read = readAt(this.#io, this.#start + this.#issued, length, { signal: this.#controller.signal });
      read.catch(noop); // awaited by #step, or abandoned when the iteration ends
      this.#queue.push({ read, length });
      this.#issued += length;
    }
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#signal) unwatchSignal(this.#signal, this.#forward);
    this.#queue = [];
    this.#controller.abort(); // whatever is still running ahead (the head read, too)
  }
}

export interface ReadToEndOptions extends IoOptions {
  /** Bytes per read (default 64 KiB, as {@link ChunkOptions.chunkSize}). */
  chunkSize?: number;
  /** Reads kept in flight ahead (default 4, as {@link ChunkOptions.inFlight}). */
  inFlight?: number;
  /** Fail with ERR_FS_FILE_TOO_LARGE past this many bytes (default: the largest Buffer). */
  maxLength?: number;
  /**
   * The bytes expected from `position` to the end (a file's size from its metadata): they are read
   * straight into one buffer, `inFlight` reads of `chunkSize` at a time, with no copy. A wrong hint
   * costs speed, never bytes: a longer file is read on (and copied); a file less than half as long
   * is copied out (the hint's memory is allocated first, so a huge wrong hint can still fail).
   */
  sizeHint?: number;
}

/**
 * Read from `position` to end of file into one Buffer, with reads in flight ahead.
 * @throws {MfioError} ERR_FS_FILE_TOO_LARGE past `maxLength`; I/O errors; ABORT_ERR.
 */
export async function readToEnd(io: PacketIo<number>, position: Position = 0, options: ReadToEndOptions = {}): Promise<Buffer> {
  checkOptions(options, READ_TO_END_OPTION_KEYS);
  // MAX_LENGTH is 2^32 on Node 20 but 2^53 - 1 on Node 22+; one byte more must stay exact.
  const largest = Math.min(bufferConstants.MAX_LENGTH, Number.MAX_SAFE_INTEGER - 1);
  const maxLength = toLength(options.maxLength ?? largest, 'options.maxLength', largest);
  const start = toPosition(position, 0);
  // Past maxLength the hint is only where reading on starts (the data may be shorter than said).
  const hint = Math.min(toLength(options.sizeHint ?? 0, 'options.sizeHint'), maxLength);
  const parts: Buffer[] = [];
  let total = 0;
  if (hint > 0) {
    const head = await readHinted(io, start, Math.min(hint, Number.MAX_SAFE_INTEGER - start), options);
    if (head.length < hint) return head;
    parts.push(head);
    total = head.length;
  }
  // Ask for one byte more than allowed: getting it means the data is too large.
  const length = Math.min(maxLength + 1 - total, Number.MAX_SAFE_INTEGER - start - total);
  for await (const chunk of chunks(io, { signal: options.signal, chunkSize: options.chunkSize, inFlight: options.inFlight, start: start + total, length })) {
    total += chunk.length;
    if (total > maxLength) throw tooLarge(maxLength);
    parts.push(chunk);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

function tooLarge(maxLength: number): MfioError {
  return new MfioError('ERR_FS_FILE_TOO_LARGE', `The data is larger than maxLength (${maxLength} bytes)`);
}

/**
 * Up to `length` bytes from `start` straight into one allocated buffer, `inFlight` reads at a
 * time; the bytes before the first short read (the end of the file).
 */
async function readHinted(io: PacketIo<number>, start: number, length: number, options: ReadToEndOptions): Promise<Buffer> {
  const chunkSize = atLeastOne(options.chunkSize ?? DEFAULT_CHUNK, 'options.chunkSize');
  const inFlight = atLeastOne(options.inFlight ?? DEFAULT_IN_FLIGHT, 'options.inFlight');
  const buffer = readBuffer(length, io.readAllocator);
  let next = 0;
  let end = length; // lowered at the first short read
  const lane = async (): Promise<void> => {
    while (next < end) {
      const offset = next;
      const n = Math.min(chunkSize, end - offset);
      next += n;
      let got: number;
      try {
        got = await readAt(io, start + offset, buffer.subarray(offset, offset + n), { signal: options.signal });
      } catch (error) {
        end = 0; // the other lanes start no more reads
        throw error;
      }
      if (got < n) end = Math.min(end, offset + got);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, Math.ceil(length / chunkSize)) }, lane));
  // Far shorter than hinted: a copy, so the result does not keep the whole hint's memory alive.
  if (end < length / 2) return Buffer.from(buffer.subarray(0, end));
  return readResult(buffer, end);
}

/** @internal a positive integer option. */
export function atLeastOne(value: unknown, name: string): number {
  const n = toLength(value, name);
  if (n < 1) throw outOfRange(name, 'an integer >= 1', value);
  return n;
}
