import { abortError, invalidArgType, MfioError } from './errors.js';
import { Packet, type Direction, type FragmentObserver, type PacketResult } from './packet.js';
import type { PacketIo } from './packet-io.js';

/** Options every async call accepts. */
export interface IoOptions {
  /** Aborting settles the call's promise at once; the backend keeps the buffer until it is done. */
  signal?: AbortSignal | undefined;
}

/**
 * Send `buffer` as one packet and resolve with its result. On abort, the promise rejects at once
 * with ABORT_ERR whose `released` resolves when the backend has let go of the buffer.
 */
export function runPacket<P>(
  io: PacketIo<P>,
  param: P,
  buffer: Uint8Array,
  direction: Direction,
  signal?: AbortSignal,
): Promise<PacketResult> {
  return awaitPacket(buffer, direction, (packet) => io.sendIo(param, packet.view()), signal);
}

/**
 * Make a packet over `buffer`, hand it out with `send` (one view or many), and resolve with its
 * result when it settles. Aborting cancels the packet and rejects at once with ABORT_ERR, whose
 * `released` resolves when the backend has let go of the buffer.
 */
export function awaitPacket(
  buffer: Uint8Array,
  direction: Direction,
  send: (packet: Packet) => void,
  signal?: AbortSignal,
  onFragment?: FragmentObserver,
): Promise<PacketResult> {
  if (signal === undefined) {
    return new Promise((resolve) => {
      send(new Packet(buffer, direction, { onSettle: (p) => resolve(p.result()), onFragment }));
    });
  }
  if (!(signal instanceof AbortSignal)) return Promise.reject(invalidArgType('options.signal', 'an instance of AbortSignal', signal));
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      packet.cancel();
      const error = abortError(signal);
      error.released = packet.whenSettled().then(() => undefined);
      reject(error);
    };
    const packet = new Packet(buffer, direction, {
      onSettle: (p) => {
        unwatch(signal, onAbort);
        resolve(p.result());
      },
      onFragment,
    });
    watch(signal, onAbort);
    send(packet);
  });
}

/**
 * Requests waiting on each signal. A signal gets one 'abort' listener however many requests
 * share it (64 reads in flight on one signal would otherwise add 64 listeners and warn).
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

function watch(signal: AbortSignal, onAbort: () => void): void {
  let waiting = watchers.get(signal);
  if (waiting === undefined) {
    const set = new Set<() => void>();
    waiting = set;
    watchers.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        watchers.delete(signal);
        for (const callback of set) callback();
      },
      { once: true },
    );
  }
  waiting.add(onAbort);
}

function unwatch(signal: AbortSignal, onAbort: () => void): void {
  watchers.get(signal)?.delete(onAbort);
}

/**
 * Send `buffer` as one packet and block the calling thread until it settles.
 * @throws {MfioError} ERR_MFIO_CANNOT_BLOCK if `io`'s backend cannot block.
 */
export function runPacketSync<P>(io: PacketIo<P>, param: P, buffer: Uint8Array, direction: Direction): PacketResult {
  const backend = io.backend;
  if (backend?.blockOn === undefined) {
    throw new MfioError(
      'ERR_MFIO_CANNOT_BLOCK',
      `The ${backend ? `'${backend.name}' backend` : 'object'} cannot block for a completion; use the async API`,
    );
  }
  const packet = new Packet(buffer, direction);
  io.sendIo(param, packet.view());
  if (!packet.settled) backend.blockOn(packet);
  return packet.result();
}

/** The transferred count, or the packet's error carrying how much got through before it. */
export function transferredOrThrow(result: PacketResult): number {
  const error = result.error;
  if (error !== null) {
    error.bytesTransferred = result.transferred;
    throw error;
  }
  return result.transferred;
}
