import { MfioError, outOfRange } from './errors.js';

/** `'read'`: the I/O fills the buffer. `'write'`: the I/O drains it. */
export type Direction = 'read' | 'write';

/** How a packet ended, once every byte of it is accounted for. */
export interface PacketResult {
  /** Bytes transferred contiguously from the start of the packet. */
  readonly transferred: number;
  /** The error of the failed fragment that starts lowest in the packet, or null. */
  readonly error: MfioError | null;
}

/** Called once per completed fragment, before the packet settles. */
export type FragmentObserver = (view: PacketView, transferred: number, error: MfioError | null) => void;

/** Options of the {@link Packet} constructor. */
export interface PacketOptions {
  /** Called synchronously, from the completing backend, when the packet settles. */
  onSettle?: (packet: Packet) => void;
  /** Called for every fragment as it completes (batch APIs use it for per-request results). */
  onFragment?: FragmentObserver;
}

const OUTSTANDING = 0;
const SPLIT = 1;
const DONE = 2;

/**
 * A buffer in flight: handed to a backend, owned by it until every fragment completes.
 *
 * A backend receives a {@link PacketView} of the packet, may split it into fragments, and
 * completes each fragment separately, in any order, with a byte count or an error. The packet
 * settles when the last fragment completes; its result is the number of bytes transferred
 * contiguously from the start and the first error by position.
 *
 * The caller must not touch `buffer` until the packet has settled: a kernel or a remote peer
 * may still be writing it.
 */
export class Packet {
  /** The bytes the I/O fills or drains; the backend's until the packet settles. */
  readonly buffer: Uint8Array;
  /** Whether the I/O fills (`'read'`) or drains (`'write'`) the buffer. */
  readonly direction: Direction;
  #outstanding = 0;
  #viewed = false;
  #stopAt: number;
  #errorAt = Infinity;
  #error: MfioError | null = null;
  #settled = false;
  #onSettle: ((packet: Packet) => void) | undefined;
  #onFragment: FragmentObserver | undefined;
  #waiters: Array<(result: PacketResult) => void> | null = null;
  #cancelled = false;
  /** One handler, or several (a packet split across backends); null when none. */
  #cancelHandlers: (() => void) | Array<() => void> | null = null;

  constructor(buffer: Uint8Array, direction: Direction, options?: PacketOptions) {
    this.buffer = buffer;
    this.direction = direction;
    this.#stopAt = buffer.length;
    this.#onSettle = options?.onSettle;
    this.#onFragment = options?.onFragment;
  }

  /** The buffer's length in bytes. */
  get length(): number {
    return this.buffer.length;
  }

  /** True once every fragment has completed. */
  get settled(): boolean {
    return this.#settled;
  }

  /** True once {@link cancel} was called. Fragments may still be in flight. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /**
   * The one view that covers the whole packet, to hand to a backend. A packet has exactly one
   * owner of each byte, so this can be taken once (or use {@link views}).
   * @throws {MfioError} ERR_INVALID_STATE if a view was already taken.
   */
  view(): PacketView {
    this.#takeViews(1);
    return new PacketView(this, 0, this.buffer.length, 0);
  }

  /**
   * Consecutive views of the given lengths that together cover the whole packet; view `i` is
   * tagged `i`. Batch APIs use this to send one packet to many positions.
   * @throws {MfioError} ERR_OUT_OF_RANGE if a length is not a positive integer or they do not
   * add up to the packet's length; ERR_INVALID_STATE if views were already taken.
   */
  views(lengths: ArrayLike<number>): PacketView[] {
    let sum = 0;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i]!;
      if (!Number.isSafeInteger(len) || len < 1) throw outOfRange(`lengths[${i}]`, 'a positive integer', len);
      sum += len;
    }
    if (sum !== this.buffer.length) {
      throw outOfRange('lengths', `adding up to the packet length ${this.buffer.length}`, sum);
    }
    this.#takeViews(lengths.length);
    const out = new Array<PacketView>(lengths.length);
    let start = 0;
    for (let i = 0; i < lengths.length; i++) {
      const end = start + lengths[i]!;
      out[i] = new PacketView(this, start, end, i);
      start = end;
    }
    if (lengths.length === 0) this.#settle();
    return out;
  }

  /** The result; only valid once settled. @throws {MfioError} ERR_INVALID_STATE before that. */
  result(): PacketResult {
    this.#assertSettled();
    return { transferred: this.#stopAt, error: this.#error };
  }

  /** `result().transferred` without allocating a result. @throws {MfioError} ERR_INVALID_STATE before settling. */
  get transferred(): number {
    this.#assertSettled();
    return this.#stopAt;
  }

  /** `result().error` without allocating a result. @throws {MfioError} ERR_INVALID_STATE before settling. */
  get error(): MfioError | null {
    this.#assertSettled();
    return this.#error;
  }

  /** True once the packet was handed out as views (its bytes belong to their owners). */
  get handedOut(): boolean {
    return this.#viewed;
  }

  #assertSettled(): void {
    if (!this.#settled) throw new MfioError('ERR_INVALID_STATE', 'The packet has not settled yet');
  }

  /** Resolves with the result when the packet settles (never rejects). */
  whenSettled(): Promise<PacketResult> {
    if (this.#settled) return Promise.resolve(this.result());
    return new Promise((resolve) => {
      (this.#waiters ??= []).push(resolve);
    });
  }

  /**
   * Ask the backend to stop. Runs the backend's cancel handlers once; the packet still settles
   * only when the backend completes (or fails) every fragment, so the buffer stays owned by the
   * backend until then.
   */
  cancel(): void {
    if (this.#cancelled || this.#settled) return;
    this.#cancelled = true;
    const handlers = this.#cancelHandlers;
    this.#cancelHandlers = null;
    if (handlers === null) return;
    for (const handler of typeof handlers === 'function' ? [handlers] : handlers) {
      try {
        handler();
      } catch (error) {
        // One backend's failing handler must not keep the others from cancelling.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /**
   * For backends: run `handler` when the packet is cancelled (at once if it already was).
   * Handlers are dropped when the packet settles.
   */
  onCancel(handler: () => void): void {
    if (this.#settled) return;
    if (this.#cancelled) {
      handler();
      return;
    }
    // Most packets get one handler (one view, one request): no array for it.
    const handlers = this.#cancelHandlers;
    if (handlers === null) this.#cancelHandlers = handler;
    else if (typeof handlers === 'function') this.#cancelHandlers = [handlers, handler];
    else handlers.push(handler);
  }

  #takeViews(count: number): void {
    if (this.#viewed) throw new MfioError('ERR_INVALID_STATE', 'The packet was already handed out as views');
    this.#viewed = true;
    this.#outstanding = count;
  }

  /** @internal bookkeeping for PacketView.splitAt. */
  _split(): void {
    this.#outstanding++;
  }

  /** @internal bookkeeping for PacketView.complete/fail. */
  _finish(view: PacketView, transferred: number, error: MfioError | null): void {
    if (error !== null) {
      if (view.start < this.#errorAt) {
        this.#errorAt = view.start;
        this.#error = error;
      }
      if (view.start < this.#stopAt) this.#stopAt = view.start;
    } else if (transferred < view.length) {
      const stop = view.start + transferred;
      if (stop < this.#stopAt) this.#stopAt = stop;
    }
    this.#onFragment?.(view, transferred, error);
    if (--this.#outstanding === 0) this.#settle();
  }

  #settle(): void {
    this.#settled = true;
    this.#cancelHandlers = null;
    this.#onSettle?.(this);
    const waiters = this.#waiters;
    if (waiters) {
      this.#waiters = null;
      const result = this.result();
      for (const resolve of waiters) resolve(result);
    }
  }
}

/**
 * A window `[start, end)` on a packet, owned by whoever it was handed to until completed.
 * Complete it exactly once, with {@link complete} or {@link fail}, or split it and complete
 * each part instead.
 */
export class PacketView {
  /** The packet this view is a window on. */
  readonly packet: Packet;
  /** Offset of the first byte in the packet. */
  readonly start: number;
  /** Offset one past the last byte in the packet. */
  readonly end: number;
  /** Set by whoever made the views (batch APIs store the request index); inherited by splits. */
  readonly tag: number;
  #state = OUTSTANDING;

  /** Not for users: views come from {@link Packet.view}, {@link Packet.views} or {@link splitAt}. Declared (not stripped as internal) so `new PacketView()` stays a type error. */
  constructor(packet: Packet, start: number, end: number, tag: number) {
    this.packet = packet;
    this.start = start;
    this.end = end;
    this.tag = tag;
  }

  /** `end - start`: the bytes in this view. */
  get length(): number {
    return this.end - this.start;
  }

  /** The packet's direction. */
  get direction(): Direction {
    return this.packet.direction;
  }

  /** True until this view is split or completed. */
  get outstanding(): boolean {
    return this.#state === OUTSTANDING;
  }

  /** The bytes of this view (a new subarray over the packet's buffer each call). */
  bytes(): Uint8Array {
    return this.packet.buffer.subarray(this.start, this.end);
  }

  /**
   * Split into `[start, start + at)` and `[start + at, end)`; this view is consumed.
   * @throws {MfioError} ERR_OUT_OF_RANGE unless `0 < at < length`; ERR_INVALID_STATE if this
   * view was already split or completed.
   */
  splitAt(at: number): [PacketView, PacketView] {
    if (!Number.isSafeInteger(at) || at <= 0 || at >= this.length) {
      throw outOfRange('at', `> 0 and < ${this.length}`, at);
    }
    this.#consume(SPLIT);
    this.packet._split();
    const mid = this.start + at;
    return [new PacketView(this.packet, this.start, mid, this.tag), new PacketView(this.packet, mid, this.end, this.tag)];
  }

  /**
   * The I/O on this view succeeded for its first `transferred` bytes (default: all of them).
   * Fewer than `length` is a short transfer (end of file), not an error.
   * @throws {MfioError} ERR_OUT_OF_RANGE for a count outside `0..length`; ERR_INVALID_STATE
   * if the view was already completed or split.
   */
  complete(transferred: number = this.end - this.start): void {
    if (!Number.isSafeInteger(transferred) || transferred < 0 || transferred > this.length) {
      throw outOfRange('transferred', `>= 0 and <= ${this.length}`, transferred);
    }
    this.#consume(DONE);
    this.packet._finish(this, transferred, null);
  }

  /**
   * The I/O on this view failed; none of its bytes count as transferred.
   * @throws {MfioError} ERR_INVALID_STATE if the view was already completed or split.
   */
  fail(error: MfioError): void {
    this.#consume(DONE);
    this.packet._finish(this, 0, error);
  }

  #consume(next: number): void {
    if (this.#state !== OUTSTANDING) {
      const what = this.#state === SPLIT ? 'split' : 'completed';
      throw new MfioError('ERR_INVALID_STATE', `Packet view [${this.start}, ${this.end}) was already ${what}; each byte completes exactly once`);
    }
    this.#state = next;
  }
}
