import { abortError, invalidArgType, MfioError } from './errors.js';
import { Packet, type Direction, type FragmentObserver, type PacketResult, type PacketView } from './packet.js';
import type { PacketIo } from './packet-io.js';

/** Options every async call accepts. */
export interface IoOptions {
  /** Aborting settles the call's promise at once; the backend keeps the buffer until it is done. */
  signal?: AbortSignal | undefined;
}

const resultOf = (packet: Packet): PacketResult => packet.result();
const noop = (): void => {};

/**
 * Send `buffer` as one packet and resolve with its result. On abort, the promise rejects at once
 * with ABORT_ERR whose `released` resolves when the backend has let go of the buffer.
 */
export function runPacket<P>(io: PacketIo<P>, param: P, buffer: Uint8Array, direction: Direction, signal?: AbortSignal): Promise<PacketResult> {
  return settlePacket(buffer, direction, (packet) => sendView(io, param, packet.view()), signal, undefined, resultOf);
}

/**
 * Make a packet over `buffer`, hand it out with `send` (one view or many), and resolve with its
 * result when it settles. Aborting rejects at once with ABORT_ERR, whose `released` resolves when
 * the backend has let go of the buffer, then cancels the packet.
 */
export function awaitPacket(
  buffer: Uint8Array,
  direction: Direction,
  send: (packet: Packet) => void,
  signal?: AbortSignal,
  onFragment?: FragmentObserver,
): Promise<PacketResult> {
  return settlePacket(buffer, direction, send, signal, onFragment, resultOf);
}

/**
 * @internal {@link awaitPacket} resolving with `finish(packet)` (which may throw to reject), so
 * the high-level calls cost one promise each.
 */
export function settlePacket<T>(
  buffer: Uint8Array,
  direction: Direction,
  send: (packet: Packet) => void,
  signal: AbortSignal | undefined,
  onFragment: FragmentObserver | undefined,
  finish: (packet: Packet) => T,
): Promise<T> {
  if (signal === undefined) {
    return new Promise((resolve, reject) => {
      const packet = new Packet(buffer, direction, {
        onSettle: (p) => settleWith(p, finish, resolve, reject),
        onFragment,
      });
      sendGuarded(send, packet, reject);
    });
  }
  if (!(signal instanceof AbortSignal)) return Promise.reject(invalidArgType('options.signal', 'an instance of AbortSignal', signal));
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      const error = abortError(signal);
      error.released = packet.whenSettled().then(noop);
      // The caller hears of the abort first, whatever the backend's cancel handler does.
      reject(error);
      packet.cancel();
    };
    const packet = new Packet(buffer, direction, {
      onSettle: (p) => {
        unwatchSignal(signal, onAbort);
        if (!aborted) settleWith(p, finish, resolve, reject);
      },
      onFragment,
    });
    watchSignal(signal, onAbort);
    sendGuarded(send, packet, reject);
  });
}

function settleWith<T>(packet: Packet, finish: (packet: Packet) => T, resolve: (value: T) => void, reject: (error: unknown) => void): void {
  try {
    resolve(finish(packet));
  } catch (error) {
    reject(error);
  }
}

/** `send` threw: reject if no view reached a backend; otherwise the packet settles as usual. */
function sendGuarded(send: (packet: Packet) => void, packet: Packet, reject: (error: unknown) => void): void {
  try {
    send(packet);
  } catch (error) {
    if (!packet.handedOut) reject(error);
    else rethrowLater(error);
  }
}

/**
 * Hand `view` to `io`. A backend must fail a view rather than throw; if one throws anyway, the
 * view is failed with that error (EIO if it is not an MfioError) so that the packet still settles
 * only when every other view is done, and nobody reuses a buffer a backend still holds.
 */
export function sendView<P>(io: PacketIo<P>, param: P, view: PacketView): void {
  try {
    io.sendIo(param, view);
  } catch (error) {
    if (view.outstanding) {
      view.fail(MfioError.from(error, typeof param === 'number' ? { syscall: view.direction, position: param } : { syscall: view.direction }));
    } else rethrowLater(error); // it took the view and then threw: a backend bug, keep it loud
  }
}

/** @internal Throw `error` from a microtask: a backend bug that must stay loud. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * Send `buffer` as one packet and block the calling thread until it settles.
 * @throws {MfioError} ERR_MFIO_CANNOT_BLOCK if `io`'s backend cannot block.
 */
export function runPacketSync<P>(io: PacketIo<P>, param: P, buffer: Uint8Array, direction: Direction): PacketResult {
  const backend = io.backend;
  if (backend?.blockOn === undefined) {
    throw new MfioError('ERR_MFIO_CANNOT_BLOCK', `The ${backend ? `'${backend.name}' backend` : 'object'} cannot block for a completion; use the async API`);
  }
  const packet = new Packet(buffer, direction);
  sendView(io, param, packet.view());
  if (!packet.settled) backend.blockOn(packet);
  return packet.result();
}

/** The transferred count, or (a copy of) the packet's error saying how much got through first. */
export function transferredOrThrow(result: PacketResult | Packet): number {
  const error = result.error;
  if (error !== null) throw error.withBytesTransferred(result.transferred);
  return result.transferred;
}

/**
 * Requests waiting on each signal. A signal gets one 'abort' listener however many requests
 * share it (64 reads in flight on one signal would otherwise add 64 listeners and warn).
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/** @internal Call `onAbort` when `signal` aborts, sharing one listener per signal. */
export function watchSignal(signal: AbortSignal, onAbort: () => void): void {
  let waiting = watchers.get(signal);
  if (waiting === undefined) {
    const set = new Set<() => void>();
    waiting = set;
    watchers.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        watchers.delete(signal);
        // One failing callback must not keep the others from hearing of the abort.
        for (const callback of set) {
          try {
            callback();
          } catch (error) {
            rethrowLater(error);
          }
        }
      },
      { once: true },
    );
  }
  waiting.add(onAbort);
}

/** @internal Stop watching. */
export function unwatchSignal(signal: AbortSignal, onAbort: () => void): void {
  watchers.get(signal)?.delete(onAbort);
}
