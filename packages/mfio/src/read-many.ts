import { constants as bufferConstants } from 'node:buffer';
import { abortError, invalidArgType, MfioError, outOfRange } from './errors.js';
import type { Packet, PacketView } from './packet.js';
import type { PacketIo } from './packet-io.js';
import { toLength, toPosition, type Position } from './position.js';
import { defaultReadAllocator, type ReadAllocator } from './read-allocator.js';
import { isBatchReadIo, ReadBatch, type BatchReadIo } from './read-batch.js';
import { rethrowLater, sendView, settlePacket, unwatchSignal, watchSignal, type IoOptions } from './submit.js';

/** One read of a batch: `[position, length]`. */
export type ReadRequest = readonly [position: Position, length: number];

/** A batch in columns, cheaper than pairs for millions of reads. */
export interface ReadColumns {
  positions: ArrayLike<Position>;
  /** One length per position, or one length for all. */
  lengths: ArrayLike<number> | number;
}

export interface ReadManyOptions extends IoOptions {
  /** Fill this buffer instead of allocating one; it must hold the sum of the lengths. */
  into?: Uint8Array;
}

/** The bytes of a batch, laid out back to back in request order. */
export class ReadManyResult {
  /** Every request's bytes; request `i` starts at `offsets[i]`. */
  readonly buffer: Buffer;
  readonly offsets: Float64Array;
  /** Bytes read for each request: its length, or fewer at end of file. */
  readonly lengths: Float64Array;

  constructor(buffer: Buffer, offsets: Float64Array, lengths: Float64Array) {
    this.buffer = buffer;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  get count(): number {
    return this.offsets.length;
  }

  /** The bytes read for request `i` (a view on {@link buffer}). */
  at(i: number): Buffer {
    const start = this.offsets[i];
    if (start === undefined) throw outOfRange('i', `>= 0 and < ${this.count}`, i);
    return this.buffer.subarray(start, start + this.lengths[i]!);
  }

  *[Symbol.iterator](): IterableIterator<Buffer> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }
}

/**
 * Read many `(position, length)` pairs with one await. The whole batch is one packet split into
 * one view per request, so a backend can submit it in one go and complete it in any order; a
 * backend that takes batches whole ({@link BatchReadIo}: the native ones) gets it as one
 * {@link ReadBatch} instead, with no object per request.
 * A short read at end of file shortens that request's `lengths[i]`; any error rejects the batch
 * with the error of the lowest-numbered failed request (its `position` says which).
 * @example
 * const r = await readMany(file, [[0, 16], [4096, 16]]);
 * r.at(1); // the 16 bytes at 4096
 */
export function readMany(io: PacketIo<number>, requests: readonly ReadRequest[] | ReadColumns, options?: ReadManyOptions): Promise<ReadManyResult> {
  let batch: Batch;
  let buffer: Buffer;
  try {
    batch = normalize(requests);
    buffer = targetBuffer(batch.total, options?.into, io.readAllocator);
  } catch (error) {
    return Promise.reject(error);
  }
  const allocated = options?.into === undefined;
  if (isBatchReadIo(io)) return readBatched(io, batch, buffer, allocated, options?.signal);
  const { positions, wanted, offsets, total } = batch;
  const got = wanted.slice();
  const viewLengths: number[] = [];
  const viewRequest: number[] = [];
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i]! > 0) {
      viewLengths.push(wanted[i]!);
      viewRequest.push(i);
    }
  }
  let firstError: MfioError | null = null;
  let firstErrorIndex = Infinity;
  const onFragment = (view: PacketView, transferred: number, error: MfioError | null): void => {
    const i = viewRequest[view.tag]!;
    if (error !== null && i < firstErrorIndex) {
      firstErrorIndex = i;
      firstError = error;
    }
    if (transferred < view.length) {
      const stop = view.start + transferred - offsets[i]!;
      if (stop < got[i]!) got[i] = stop;
    }
  };
  const send = (packet: Packet): void => {
    const views = packet.views(viewLengths);
    for (let k = 0; k < views.length; k++) sendView(io, positions[viewRequest[k]!]!, views[k]!);
  };
  const packetBuffer = buffer.length === total ? buffer : buffer.subarray(0, total);
  return settlePacket(packetBuffer, 'read', send, options?.signal, onFragment, () => {
    if (firstError !== null) throw firstError.withBytesTransferred(got[firstErrorIndex]!);
    if (allocated) zeroUnread(buffer, offsets, wanted, got);
    return new ReadManyResult(buffer, offsets, got);
  });
}

/** {@link readMany} through {@link BatchReadIo.readBatch}, with the same results and errors. */
function readBatched(
  io: BatchReadIo,
  { positions, wanted, offsets }: Batch,
  buffer: Buffer,
  allocated: boolean,
  signal: AbortSignal | undefined,
): Promise<ReadManyResult> {
  if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(invalidArgType('options.signal', 'an instance of AbortSignal', signal));
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (positions.length === 0) return Promise.resolve(new ReadManyResult(buffer, offsets, wanted));
  return new Promise((resolve, reject) => {
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      const error = abortError(signal);
      error.released = batch.whenDone();
      reject(error); // the caller hears of the abort first, whatever the backend does
      batch.cancel();
    };
    const batch = new ReadBatch(positions, wanted, offsets, buffer, () => {
      if (signal !== undefined) unwatchSignal(signal, onAbort);
      if (aborted) return;
      const failed = batch.firstError;
      if (failed !== null) {
        reject(failed.error.withBytesTransferred(batch.got[failed.index]!));
        return;
      }
      if (allocated) zeroUnread(buffer, offsets, wanted, batch.got);
      resolve(new ReadManyResult(buffer, offsets, batch.got));
    });
    if (signal !== undefined) watchSignal(signal, onAbort);
    try {
      io.readBatch(batch);
    } catch (error) {
      // A backend must fail requests, not throw. Before any report, take it that it kept none
      // (as sendGuarded does for a view); after one, it holds the buffer: let the batch settle.
      if (batch.started) {
        rethrowLater(error);
      } else {
        if (signal !== undefined) unwatchSignal(signal, onAbort);
        reject(error);
      }
    }
  });
}

interface Batch {
  positions: Float64Array;
  wanted: Float64Array;
  offsets: Float64Array;
  total: number;
}

function normalize(requests: readonly ReadRequest[] | ReadColumns): Batch {
  let count: number;
  let positionAt: (i: number) => unknown;
  let lengthAt: (i: number) => unknown;
  if (Array.isArray(requests)) {
    const pairs = requests as readonly ReadRequest[];
    count = pairs.length;
    positionAt = (i) => pairs[i]?.[0];
    lengthAt = (i) => pairs[i]?.[1];
  } else if (typeof requests === 'object' && requests !== null && 'positions' in requests) {
    const { positions, lengths } = requests;
    count = positions.length;
    if (typeof lengths !== 'number' && lengths.length !== count) {
      throw outOfRange('requests.lengths.length', `equal to requests.positions.length (${count})`, lengths.length);
    }
    positionAt = (i) => positions[i];
    lengthAt = typeof lengths === 'number' ? () => lengths : (i) => lengths[i];
  } else {
    throw invalidArgType('requests', 'an array of [position, length] pairs or { positions, lengths }', requests);
  }
  // One backing store for the three columns: each costs a malloc and a V8 backing store.
  const columns = new Float64Array(3 * count);
  const positions = columns.subarray(0, count);
  const wanted = columns.subarray(count, 2 * count);
  const offsets = columns.subarray(2 * count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const rawLength = lengthAt(i);
    const rawPosition = positionAt(i);
    let len: number;
    let pos: number;
    // The checks of toLength and toPosition, without building their names for every request.
    if (
      typeof rawLength === 'number' &&
      typeof rawPosition === 'number' &&
      Number.isSafeInteger(rawLength) &&
      Number.isSafeInteger(rawPosition) &&
      rawLength >= 0 &&
      rawPosition >= 0 &&
      rawPosition + rawLength <= Number.MAX_SAFE_INTEGER
    ) {
      len = rawLength;
      pos = rawPosition;
    } else {
      len = toLength(rawLength, `requests[${i}] length`);
      pos = toPosition(rawPosition, len, `requests[${i}] position`);
    }
    positions[i] = pos;
    wanted[i] = len;
    offsets[i] = total;
    total += len;
  }
  if (total > bufferConstants.MAX_LENGTH) throw outOfRange('total length of requests', `<= ${bufferConstants.MAX_LENGTH}`, total);
  return { positions, wanted, offsets, total };
}

function targetBuffer(total: number, into: Uint8Array | undefined, allocator: ReadAllocator = defaultReadAllocator): Buffer {
  if (into === undefined) return allocator.allocate(total);
  if (!(into instanceof Uint8Array)) throw invalidArgType('options.into', 'an instance of Uint8Array', into);
  if (into.length < total) throw outOfRange('options.into.length', `>= ${total} (the sum of the lengths)`, into.length);
  return Buffer.from(into.buffer, into.byteOffset, into.length);
}

/** An allocated buffer's bytes are unspecified: zero what short reads left unfilled. */
function zeroUnread(buffer: Buffer, offsets: Float64Array, wanted: Float64Array, got: Float64Array): void {
  for (let i = 0; i < got.length; i++) {
    if (got[i]! < wanted[i]!) buffer.fill(0, offsets[i]! + got[i]!, offsets[i]! + wanted[i]!);
  }
}
