import { MfioError, outOfRange } from './errors.js';
import type { PacketIo } from './packet-io.js';

const OUTSTANDING = 0;
const DONE = 1;

/**
 * A whole {@link readMany} batch handed to a backend in one call, with no view or object per
 * request (made by readMany; backends only receive it): the backend reads request `i` (`lengths[i]` bytes at `positions[i]`) into `buffer`
 * at `offsets[i]` and reports it exactly once, in any order, with {@link complete} or
 * {@link fail}. Like a packet's, the buffer belongs to the backend until every request is
 * reported, whatever the caller did meanwhile (an abort cancels, it does not take it back).
 */
export class ReadBatch {
  /** File position of each request. */
  readonly positions: Float64Array;
  /** Bytes wanted by each request; 0 is allowed and is reported like any other. */
  readonly lengths: Float64Array;
  /** Where in `buffer` each request's bytes go. */
  readonly offsets: Float64Array;
  /** The one buffer every request reads into; the backend's until every request is reported. */
  readonly buffer: Uint8Array;
  /** Bytes read by each request (its length until it reports fewer). */
  readonly got: Float64Array;
  readonly #state: Uint8Array;
  #remaining: number;
  #firstErrorIndex = Infinity;
  #firstError: MfioError | null = null;
  #cancelled = false;
  #cancelHandlers: Array<() => void> | null = null;
  #onDone: () => void;
  #waiters: Array<() => void> | null = null;

  /** Not for users: made by readMany; `onDone` runs once, when the last request is reported. Declared (not stripped as internal) so `new ReadBatch()` stays a type error. */
  constructor(positions: Float64Array, lengths: Float64Array, offsets: Float64Array, buffer: Uint8Array, onDone: () => void) {
    this.positions = positions;
    this.lengths = lengths;
    this.offsets = offsets;
    this.buffer = buffer;
    this.got = lengths.slice();
    this.#state = new Uint8Array(positions.length);
    this.#remaining = positions.length;
    this.#onDone = onDone;
  }

  /** How many requests the batch has. */
  get count(): number {
    return this.positions.length;
  }

  /** True once every request was reported: the backend no longer uses the buffer. */
  get done(): boolean {
    return this.#remaining === 0;
  }

  /** True once the caller gave up (aborted); requests may still be in flight. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The failure of the lowest-numbered failed request, if any. */
  get firstError(): {
    /** The request's index. */
    index: number;
    /** Its error. */
    error: MfioError;
  } | null {
    return this.#firstError === null ? null : { index: this.#firstErrorIndex, error: this.#firstError };
  }

  /**
   * For backends: request `i` read `transferred` bytes (fewer than its length only at end of
   * file).
   * @throws {MfioError} ERR_INVALID_STATE if request `i` was already reported, ERR_OUT_OF_RANGE
   * if `transferred` is not an integer from 0 to its length (backend bugs, kept loud).
   */
  complete(i: number, transferred: number): void {
    this.#report(i, transferred);
    if (transferred < this.lengths[i]!) this.got[i] = transferred;
    this.#finishOne();
  }

  /**
   * For backends: request `i` failed after reading `transferred` bytes from its start.
   * @throws {MfioError} as {@link complete}.
   */
  fail(i: number, error: MfioError, transferred = 0): void {
    this.#report(i, transferred);
    this.got[i] = transferred;
    if (i < this.#firstErrorIndex) {
      this.#firstErrorIndex = i;
      this.#firstError = error;
    }
    this.#finishOne();
  }

  /**
   * For backends: run `handler` when the batch is cancelled (at once if it already was); dropped
   * when the batch is done.
   */
  onCancel(handler: () => void): void {
    if (this.done) return;
    if (this.#cancelled) {
      handler();
      return;
    }
    (this.#cancelHandlers ??= []).push(handler);
  }

  /** Ask the backend to stop; it still reports every request before the batch is done. */
  cancel(): void {
    if (this.#cancelled || this.done) return;
    this.#cancelled = true;
    const handlers = this.#cancelHandlers;
    this.#cancelHandlers = null;
    for (const handler of handlers ?? []) {
      try {
        handler();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Resolves once every request was reported (never rejects). */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  /** For backends: fail every request not reported yet (a closed handle, say). */
  failRest(error: MfioError): void {
    for (let i = 0; i < this.count && !this.done; i++) {
      if (this.#state[i] === OUTSTANDING) this.fail(i, error);
    }
  }

  #report(i: number, transferred: number): void {
    if (this.#state[i] !== OUTSTANDING) {
      throw new MfioError('ERR_INVALID_STATE', i >= 0 && i < this.count ? `Request ${i} of the batch was already reported` : `No request ${i} in the batch`);
    }
    if (!Number.isSafeInteger(transferred) || transferred < 0 || transferred > this.lengths[i]!) {
      throw outOfRange('transferred', `an integer from 0 to ${this.lengths[i]}`, transferred);
    }
    this.#state[i] = DONE;
  }

  /** True once a request was reported: the backend took the batch. */
  get started(): boolean {
    return this.#remaining < this.count;
  }

  #finishOne(): void {
    if (--this.#remaining === 0) this.#finishAll();
  }

  #finishAll(): void {
    this.#cancelHandlers = null;
    const waiters = this.#waiters;
    this.#waiters = null;
    this.#onDone();
    for (const resolve of waiters ?? []) resolve();
  }
}

/**
 * A `PacketIo` that can also take a {@link readMany} batch whole. `readBatch` returns at once,
 * never throws for an I/O failure (it fails the request instead), and reports every request
 * of the batch exactly once, possibly before it returns.
 * @example
 * // A backend over an in-memory byte array, completing at once:
 * readBatch(batch) {
 *   for (let i = 0; i < batch.count; i++) {
 *     const start = Math.min(batch.positions[i], data.length);
 *     const bytes = data.subarray(start, Math.min(start + batch.lengths[i], data.length));
 *     batch.buffer.set(bytes, batch.offsets[i]);
 *     batch.complete(i, bytes.length);
 *   }
 * }
 */
export interface BatchReadIo extends PacketIo<number> {
  /** Take the whole batch: read every request, report each exactly once with `complete` or `fail`. */
  readBatch(batch: ReadBatch): void;
}

/** Whether `io` takes {@link readMany} batches whole. */
export function isBatchReadIo(io: PacketIo<number>): io is BatchReadIo {
  return typeof (io as Partial<BatchReadIo>).readBatch === 'function';
}
