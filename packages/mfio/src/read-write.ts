import { readBuffer, readResult, writeBytes, type ReadTarget, type WriteSource } from './arguments.js';
import { MfioError } from './errors.js';
import { checkOptions, IO_OPTION_KEYS } from './options.js';
import type { Packet, PacketResult } from './packet.js';
import type { PacketIo } from './packet-io.js';
import { toPosition, type Position } from './position.js';
import { runPacket, sendView, settlePacket, transferredOrThrow, type IoOptions } from './submit.js';

/**
 * Read up to `length` bytes at `position` into a new Buffer, shorter only at end of file.
 * @example const head = await readAt(file, 0, 512);
 * @throws {MfioError} the backend's error (with `bytesTransferred`), ABORT_ERR, argument errors.
 */
export function readAt(io: PacketIo<number>, position: Position, length: number, options?: IoOptions): Promise<Buffer>;
/** Read into `buffer` at `position`; resolves with the bytes read (fewer only at end of file). */
export function readAt(io: PacketIo<number>, position: Position, buffer: Uint8Array, options?: IoOptions): Promise<number>;
export function readAt(io: PacketIo<number>, position: Position, target: ReadTarget, options?: IoOptions): Promise<Buffer | number> {
  let buffer: Uint8Array;
  let pos: number;
  try {
    checkOptions(options, IO_OPTION_KEYS);
    buffer = readBuffer(target, io.readAllocator);
    pos = toPosition(position, buffer.length);
  } catch (error) {
    return Promise.reject(error);
  }
  const finish =
    typeof target === 'number'
      ? (packet: Packet): Buffer => readResult(buffer, transferredOrThrow(packet))
      : (packet: Packet): number => transferredOrThrow(packet);
  return settlePacket<Buffer | number>(buffer, 'read', (packet) => sendView(io, pos, packet.view()), options?.signal, undefined, finish);
}

/**
 * Like {@link readAt}, but a short read is an error: rejects with ERR_UNEXPECTED_EOF (its
 * `bytesTransferred` says how many bytes were there).
 */
export function readExactAt(io: PacketIo<number>, position: Position, length: number, options?: IoOptions): Promise<Buffer>;
export function readExactAt(io: PacketIo<number>, position: Position, buffer: Uint8Array, options?: IoOptions): Promise<void>;
export async function readExactAt(io: PacketIo<number>, position: Position, target: ReadTarget, options?: IoOptions): Promise<Buffer | void> {
  checkOptions(options, IO_OPTION_KEYS);
  const buffer = readBuffer(target, io.readAllocator);
  const n = await readAt(io, position, buffer, options);
  checkExact(n, buffer.length, position);
  if (typeof target === 'number') return readResult(buffer, n);
}

/** @internal shared with the sync wrappers. */
export function checkExact(got: number, wanted: number, position: Position): void {
  if (got < wanted) {
    const error = new MfioError('ERR_UNEXPECTED_EOF', `Unexpected end of file: wanted ${wanted} bytes at position ${position}, got ${got}`, {
      position: Number(position),
    });
    error.bytesTransferred = got;
    throw error;
  }
}

/**
 * Write `data` at `position`; resolves with the bytes written, which a backend may report as
 * fewer than given (use {@link writeAllAt} to write everything).
 */
export function writeAt(io: PacketIo<number>, position: Position, data: WriteSource, options?: IoOptions): Promise<number> {
  let bytes: Uint8Array;
  let pos: number;
  try {
    checkOptions(options, IO_OPTION_KEYS);
    bytes = writeBytes(data);
    pos = toPosition(position, bytes.length);
  } catch (error) {
    return Promise.reject(error);
  }
  return settlePacket(bytes, 'write', (packet) => sendView(io, pos, packet.view()), options?.signal, undefined, transferredOrThrow);
}

/**
 * Write all of `data` at `position`, continuing after short writes.
 * @throws {MfioError} the backend's error with `bytesTransferred`; ERR_WRITE_ZERO if the backend
 * accepts nothing and reports no error.
 */
export function writeAllAt(io: PacketIo<number>, position: Position, data: WriteSource, options?: IoOptions): Promise<void> {
  let bytes: Uint8Array;
  let start: number;
  try {
    checkOptions(options, IO_OPTION_KEYS);
    bytes = writeBytes(data);
    start = toPosition(position, bytes.length);
  } catch (error) {
    return Promise.reject(error);
  }
  if (options?.signal !== undefined || bytes.length === 0) return writeAllLoop(io, start, bytes, options);
  // One write almost always takes everything: one packet and one promise, as writeAt costs
  // (small random writes are bounded by this call's own cost). A short write continues in the
  // loop, whose promise this one adopts; from a microtask, as an await would: never from inside
  // the backend's completion.
  // (The promise adopts the loop's: typed as what it resolves to.)
  return settlePacket<void | Promise<void>>(
    bytes,
    'write',
    (packet) => sendView(io, start, packet.view()),
    undefined,
    undefined,
    (packet) => {
      const done = transferredOrThrow(packet);
      if (done === bytes.length) return undefined;
      if (done === 0) throw writeZero(0, start);
      return Promise.resolve(done).then((written) => writeAllLoop(io, start, bytes, options, written));
    },
  ) as Promise<void>;
}

/** The write-all loop, from `done` bytes already written. */
async function writeAllLoop(io: PacketIo<number>, start: number, bytes: Uint8Array, options: IoOptions | undefined, done = 0): Promise<void> {
  const steps = writeAllSteps(start, bytes, done);
  for (let step = steps.next(); !step.done;) {
    const [pos, chunk] = step.value;
    let result: PacketResult;
    try {
      result = await runPacket(io, pos, chunk, 'write', options?.signal);
    } catch (error) {
      // An abort: what landed before it still counts (at least this much; the cancelled
      // write itself may have landed partly too).
      if (error instanceof MfioError && error.code === 'ABORT_ERR') error.bytesTransferred = pos - start;
      throw error;
    }
    step = steps.next(result);
  }
}

/**
 * @internal The write-all loop, written once for the async and the sync driver: yields each
 * write to perform as `[position, bytes]` and is resumed with that write's result.
 */
export function* writeAllSteps(position: number, bytes: Uint8Array, written = 0): Generator<[number, Uint8Array], void, PacketResult> {
  let done = written;
  while (done < bytes.length) {
    const result = yield [position + done, bytes.subarray(done)];
    done += result.transferred;
    if (result.error !== null) throw result.error.withBytesTransferred(done);
    if (result.transferred === 0) throw writeZero(done, position + done);
  }
}

/** @internal shared with the sync wrappers. */
export function writeZero(done: number, position: number): MfioError {
  const error = new MfioError('ERR_WRITE_ZERO', `The backend accepted no bytes at position ${position}`, { position });
  error.bytesTransferred = done;
  return error;
}
