import { constants as bufferConstants } from 'node:buffer';
import { checkOptions } from './options.js';
import { abortError, invalidArgType, MfioError, outOfRange } from './errors.js';
import { Packet, type PacketView } from './packet.js';
import type { PacketIo } from './packet-io.js';
import { toLength, toPosition, type Position } from './position.js';
import { defaultReadAllocator, type ReadAllocator } from './read-allocator.js';
import { isBatchReadIo, ReadBatch, type BatchReadIo } from './read-batch.js';
import { giveBackScratch, planMerge, settleMerged, settleRetried, type MergeLimits, type MergePlan, type ReadPart } from './read-merge.js';
import { rethrowLater, sendView, settlePacket, unwatchSignal, watchSignal, type IoOptions } from './submit.js';

/** One read of a batch: `[position, length]`. */
export type ReadRequest = readonly [position: Position, length: number];

/** A batch in columns, cheaper than pairs for millions of reads. */
export interface ReadColumns {
  /** The file position of each request. */
  positions: ArrayLike<Position>;
  /** One length per position, or one length for all. */
  lengths: ArrayLike<number> | number;
}

/** Options of {@link readMany}: the {@link IoOptions} and these. */
export interface ReadManyOptions extends IoOptions {
  /** Fill this buffer instead of allocating one; it must hold the sum of the lengths. */
  into?: Uint8Array;
  /**
   * Merge requests that touch or overlap in the file (or lie within `maxGap` of each other)
   * into fewer reads, each at most this many bytes: a merged read never exceeds it, and a
   * longer request is still read whole, alone. `0` turns merging off.
   *
   * Requests merged while back to back in both the file and the result (a scan) are read
   * straight into the result buffer; other merged reads go through a scratch buffer and are
   * copied out, each request getting its own copy of shared bytes. Results stay in request
   * order and are exactly those of reading each request alone: bytes, `lengths[i]` (short at
   * end of file), the error of the lowest-numbered failed request with its own position and
   * count (a merged read that fails is read again as its requests alone), and abort. A batch is
   * merged only when that saves at least one read in 16 (a random batch where a few requests
   * overlap is cheaper read as it is).
   *
   * Default chosen by measurement (io_uring and thread pool, 256 MiB file in the page cache):
   * 4 KiB reads back to back take 0.3-0.5 of the time unmerged (0.45-0.51 in batches of 64
   * with 1 MiB, 0.58-0.84 with 128 KiB); 1 MiB still spreads a long scan over the thread
   * pool's workers and fits a netfs server's default `maxRead` (8 MiB). A batch in random
   * order pays a sort first: 20-50 ns a request, within noise of a 4 KiB read (~1 µs). The
   * figures and how they were taken are in packages/mfio/README.md.
   * @defaultValue 1048576 (1 MiB)
   * @example
   * // A scan in 4 KiB records: 64 reads of 1 MiB instead of 16,384, straight into `into`.
   * const positions = Array.from({ length: 16384 }, (_, i) => i * 4096);
   * const r = await readMany(file, { positions, lengths: 4096 }, { into });
   */
  maxMergedSize?: number;
  /**
   * The read amplification allowed: the largest gap of unrequested bytes a merged read may
   * cover to join two requests (read into scratch and dropped). `0`: only requests that touch
   * or overlap merge. Raise it where a request costs far more than its bytes (netfs over a
   * network, remote storage). On a local file in the page cache gap merges cost more than they
   * save: 4 KiB reads every 8 KiB with `maxGap: 4096` took 2-2.5 times as long in batches of
   * 4,096 (megabytes of scratch to fault in and copy) and 0.91-0.97 of the time in batches
   * of 64.
   * @defaultValue 0
   * @example
   * // Over netfs: join requests up to 64 KiB apart into reads of up to 4 MiB.
   * await readMany(remoteFile, requests, { maxGap: 65536, maxMergedSize: 4 << 20 });
   */
  maxGap?: number;
}

const READ_MANY_OPTION_KEYS = ['signal', 'into', 'maxMergedSize', 'maxGap'] as const;

/** Merging when the options do not say: see {@link ReadManyOptions}. */
const DEFAULT_LIMITS: MergeLimits = { maxMergedSize: 1 << 20, maxGap: 0 };

/** The bytes of a batch, laid out back to back in request order. */
export class ReadManyResult {
  /** Every request's bytes; request `i` starts at `offsets[i]`. */
  readonly buffer: Buffer;
  /** Where request `i`'s bytes start in `buffer`. */
  readonly offsets: Float64Array;
  /** Bytes read for each request: its length, or fewer at end of file. */
  readonly lengths: Float64Array;

  constructor(buffer: Buffer, offsets: Float64Array, lengths: Float64Array) {
    this.buffer = buffer;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  /** How many requests the batch had. */
  get count(): number {
    return this.offsets.length;
  }

  /** The bytes read for request `i` (a view on {@link buffer}). */
  at(i: number): Buffer {
    const start = this.offsets[i];
    if (start === undefined) throw outOfRange('i', `>= 0 and < ${this.count}`, i);
    return this.buffer.subarray(start, start + this.lengths[i]!);
  }

  /** Each request's bytes in order, as {@link at} gives them. */
  *[Symbol.iterator](): IterableIterator<Buffer> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }
}

/**
 * Read many `(position, length)` pairs with one await. Requests that touch or overlap in the
 * file are first merged into fewer reads ({@link ReadManyOptions.maxMergedSize}). The whole
 * batch is one packet split into one view per read, so a backend can submit it in one go and
 * complete it in any order; a backend that takes batches whole ({@link BatchReadIo}: the
 * native ones) gets it as one {@link ReadBatch} instead, with no object per read.
 * A short read at end of file shortens that request's `lengths[i]`; any error rejects the batch
 * with the error of the lowest-numbered failed request (its `position` says which).
 * @throws {MfioError} (as a rejection) ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE for bad
 * requests or options, before any I/O; ABORT_ERR on abort; the I/O error otherwise.
 * @example
 * const r = await readMany(file, [[0, 16], [4096, 16]]);
 * r.at(1); // the 16 bytes at 4096
 */
export function readMany(io: PacketIo<number>, requests: readonly ReadRequest[] | ReadColumns, options?: ReadManyOptions): Promise<ReadManyResult> {
  let batch: Batch;
  let buffer: Buffer;
  let plan: MergePlan | null;
  try {
    checkOptions(options, READ_MANY_OPTION_KEYS);
    batch = normalize(requests);
    buffer = targetBuffer(batch.total, options?.into, io.readAllocator);
    plan = planMerge(batch.positions, batch.wanted, batch.offsets, buffer, mergeLimits(options));
  } catch (error) {
    return Promise.reject(error);
  }
  const allocated = options?.into === undefined;
  if (plan !== null) return readMerged(io, batch, buffer, allocated, plan, options?.signal);
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

/** The part of a merged batch one backend call took: cancel it, or wait until it let go. */
interface PartRun {
  cancel(): void;
  whenDone(): Promise<unknown>;
}

const noop = (): void => {};

/**
 * {@link readMany} as the fewer reads of `plan`: one or two parts (reads into the result and
 * reads into scratch), each run whole by the backend (as a ReadBatch or as one packet), then
 * each request's bytes and count taken from its merged read. Should a merged read fail, the
 * requests it cannot speak for are read again alone (a second round, on errors only), so
 * results, errors and abort are those of the batch unmerged.
 */
function readMerged(
  io: PacketIo<number>,
  batch: Batch,
  buffer: Buffer,
  allocated: boolean,
  plan: MergePlan,
  signal: AbortSignal | undefined,
): Promise<ReadManyResult> {
  if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(invalidArgType('options.signal', 'an instance of AbortSignal', signal));
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const { positions, wanted, offsets } = batch;
  const run = isBatchReadIo(io)
    ? (part: ReadPart, onDone: () => void) => runBatch(io, part, onDone)
    : (part: ReadPart, onDone: () => void) => runViews(io, part, onDone);
  return new Promise((resolve, reject) => {
    // Every run of both rounds, for the abort: `released` waits for all of them.
    const runs: PartRun[] = [];
    let over = false;
    const onAbort = (): void => {
      over = true;
      const error = abortError(signal);
      // Scratch is left to the garbage collector here, not kept for the next batch.
      error.released = Promise.all(runs.map((r) => r.whenDone())).then(noop);
      reject(error); // the caller hears of the abort first, whatever the backend does
      for (const r of runs) r.cancel();
    };
    const end = (): void => {
      over = true;
      if (signal !== undefined) unwatchSignal(signal, onAbort);
    };
    const settle = (counts: () => Float64Array): void => {
      end();
      try {
        const got = counts();
        if (allocated) zeroUnread(buffer, offsets, wanted, got);
        resolve(new ReadManyResult(buffer, offsets, got));
      } catch (error) {
        reject(error);
      }
    };
    // Run `parts` at once, then `next` when the last one is done (unless the call is over).
    const start = (parts: ReadPart[], next: () => void): void => {
      let waiting = parts.length;
      const onDone = (): void => {
        if (--waiting === 0 && !over) next();
      };
      for (const part of parts) {
        if (over) return;
        try {
          runs.push(run(part, onDone));
        } catch (error) {
          // The backend threw before taking this part (see readBatched): give up on the batch.
          end();
          reject(error);
          for (const r of runs) r.cancel();
          return;
        }
      }
    };
    if (signal !== undefined) watchSignal(signal, onAbort);
    // Scratch first: should a backend throw before taking a part, only the caller's buffer must
    // be free when the promise rejects, and scratch is ours.
    const parts = [plan.scratch, plan.direct].filter((part) => part !== null);
    start(parts, () => {
      const outcome = settleMerged(plan, positions, wanted, offsets, buffer);
      // Every read reported and scratch copied out: the next batch may have it.
      if (plan.scratch !== null) giveBackScratch(plan.scratch);
      if (outcome.retry === null) {
        settle(() => {
          if (outcome.error !== null) throw outcome.error;
          return outcome.got;
        });
      } else {
        start([outcome.retry], () => settle(() => settleRetried(outcome)));
      }
    });
  });
}

/** A ReadBatch that keeps every request's error, not only the first: merged reads need them. */
class PartBatch extends ReadBatch {
  readonly #part: ReadPart;

  constructor(part: ReadPart, onDone: () => void) {
    super(part.positions, part.lengths, part.offsets, part.buffer, onDone);
    this.#part = part;
    part.got = this.got;
  }

  override fail(i: number, error: MfioError, transferred = 0): void {
    // Kept before reporting, which may finish the batch; undone if the report is refused.
    const errors = (this.#part.errors ??= []);
    const before = errors[i];
    errors[i] = error;
    try {
      super.fail(i, error, transferred);
    } catch (refused) {
      errors[i] = before;
      throw refused;
    }
  }
}

/** Run `part` as one ReadBatch. @throws what `readBatch` threw, if it took none of it. */
function runBatch(io: BatchReadIo, part: ReadPart, onDone: () => void): PartRun {
  const batch = new PartBatch(part, onDone);
  try {
    io.readBatch(batch);
  } catch (error) {
    if (!batch.started) throw error;
    rethrowLater(error);
  }
  return batch;
}

/**
 * Run `part` as one packet over its buffer, one view per read, in buffer order. Bytes between
 * its reads (requests that read through scratch) get views completed here, with no I/O.
 */
function runViews(io: PacketIo<number>, part: ReadPart, onDone: () => void): PartRun {
  const { positions, lengths, offsets, buffer } = part;
  const got = (part.got = lengths.slice());
  const viewLengths: number[] = [];
  const viewRead: number[] = [];
  let end = 0;
  for (let e = 0; e < positions.length; e++) {
    if (offsets[e]! > end) {
      viewLengths.push(offsets[e]! - end);
      viewRead.push(-1);
    }
    viewLengths.push(lengths[e]!);
    viewRead.push(e);
    end = offsets[e]! + lengths[e]!;
  }
  const onFragment = (view: PacketView, transferred: number, error: MfioError | null): void => {
    const e = viewRead[view.tag]!;
    if (e < 0) return;
    if (error !== null) (part.errors ??= [])[e] ??= error;
    if (transferred < view.length) {
      const stop = view.start + transferred - offsets[e]!;
      if (stop < got[e]!) got[e] = stop;
    }
  };
  const packet = new Packet(end === buffer.length ? buffer : buffer.subarray(0, end), 'read', { onSettle: () => onDone(), onFragment });
  const views = packet.views(viewLengths);
  for (let k = 0; k < views.length; k++) {
    const e = viewRead[k]!;
    if (e < 0) views[k]!.complete();
    else sendView(io, positions[e]!, views[k]!);
  }
  return { cancel: () => packet.cancel(), whenDone: () => packet.whenSettled() };
}

/** The merge limits of `options`, validated. */
function mergeLimits(options: ReadManyOptions | undefined): MergeLimits {
  const size = options?.maxMergedSize;
  const gap = options?.maxGap;
  if (size === undefined && gap === undefined) return DEFAULT_LIMITS;
  return {
    maxMergedSize: size === undefined ? DEFAULT_LIMITS.maxMergedSize : toLength(size, 'options.maxMergedSize'),
    maxGap: gap === undefined ? DEFAULT_LIMITS.maxGap : toLength(gap, 'options.maxGap'),
  };
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
