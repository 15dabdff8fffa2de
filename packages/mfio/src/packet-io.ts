import type { Packet, PacketView } from './packet.js';
import type { ReadAllocator } from './read-allocator.js';

/**
 * Anything that performs I/O on packets. `sendIo` submits and returns at once; the backend
 * completes the view (or its fragments) later, or synchronously for errors it knows at once.
 * It never throws for an I/O failure: it fails the view instead.
 *
 * `Param` is the file position (`number`, a safe integer) for random-access I/O, and `void`
 * for streams.
 */
export interface PacketIo<Param> {
  /**
   * Submit I/O on `view` at `param` and return at once: complete the view (or its splits) later,
   * or at once for an error known now. Never throws for an I/O failure; fails the view instead.
   */
  sendIo(param: Param, view: PacketView): void;
  /** What drives this object's completions, when the sync wrappers need to block on it. */
  readonly backend?: IoBackend;
  /**
   * Where `readAt(pos, length)`, `readMany` without `into` and the streams get the buffers they
   * read into (a backend's preferred memory: page-aligned, registered); absent, the library's
   * default allocator serves.
   */
  readonly readAllocator?: ReadAllocator;
}

/**
 * What drives completions. In Node the host loop is libuv: a native backend exposes the fd that
 * libuv polls; the in-memory backend has none and completes on the next loop turn.
 */
export interface IoBackend {
  /** A short stable name: `'memory'`, `'io_uring'`, `'threadpool'`, `'libuv'` ... */
  readonly name: string;
  /** The fd that libuv polls for this backend's completions, or null. */
  pollHandle(): number | null;
  /**
   * Run completions on the calling thread until `packet` settles. Present only on backends that
   * can block (native files, in-memory); the sync wrappers need it.
   * @throws {MfioError} ERR_MFIO_DEADLOCK if the packet can never settle this way.
   */
  blockOn?(packet: Packet): void;
  /**
   * What this backend has in flight now, for diagnosing a request that never completes (a test's
   * hang detector, a stuck `close()`). Present on backends that track their requests.
   */
  describeInFlight?(): InFlightRequest[];
  /**
   * Requests that completed successfully since the backend started, by operation (`'write'`,
   * `'fsync'` ...): what actually ran, e.g. that a flush linked to a write completed. Present on
   * backends that count them.
   */
  describeCompleted?(): Readonly<Record<string, number>>;
}

/** One request a backend has in flight (see {@link IoBackend.describeInFlight}). */
export interface InFlightRequest {
  /** The operation, e.g. `'read'`, `'send'`, `'cancel'`. */
  readonly op: string;
  /**
   * `'queued'`: waiting in the backend for room; `'submitted'`: handed to the kernel (or the
   * server); `'cancelling'`: a cancel was asked for and its completion has not come.
   */
  readonly state: 'queued' | 'submitted' | 'cancelling';
  /** Milliseconds since it was queued (coarse: measured from the backend's last batch). */
  readonly ageMs: number;
  /** The backend's own handle on it (a slot, a request id), to match with native logs. */
  readonly id: number;
}
