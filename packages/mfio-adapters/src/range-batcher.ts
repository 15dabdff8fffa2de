import { abortError, type PacketIo } from '@mfio/core';
import { readRanges, type ByteRange } from './read-ranges.js';

interface Pending extends ByteRange {
  settled: boolean;
  resolve(data: ArrayBuffer): void;
  reject(error: unknown): void;
}

/**
 * Turns single-range reads made in the same run of JavaScript into one {@link readRanges}
 * batch (one `readMany`). For libraries whose reader takes one range per call but which ask
 * for many at once (hyparquet's column chunks, geotiff's tiles of a window, each from its own
 * loop iteration): the backend sees them together, in flight at once, touching ones merged.
 */
export class RangeBatcher {
  readonly #io: PacketIo<number>;
  #pending: Pending[] = [];

  constructor(io: PacketIo<number>) {
    this.#io = io;
  }

  /**
   * `length` bytes from `offset`; short only where the file ends first. An abort rejects this
   * read at once with `ABORT_ERR`; the batch it joined still completes for the others (each
   * result is its own buffer, so nothing is reused early).
   */
  read(offset: number, length: number, signal?: AbortSignal): Promise<ArrayBuffer> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<ArrayBuffer>((resolve, reject) => {
      const request: Pending = { offset, length, settled: false, resolve, reject };
      if (signal !== undefined) {
        const onAbort = (): void => settle(request, () => reject(abortError(signal)));
        signal.addEventListener('abort', onAbort, { once: true });
        request.resolve = (data) => settle(request, () => (signal.removeEventListener('abort', onAbort), resolve(data)));
        request.reject = (error) => settle(request, () => (signal.removeEventListener('abort', onAbort), reject(error)));
      }
      // A microtask, not a timer: the libraries' loops issue their reads after the same number
      // of awaits each, so all of them land before it, and a lone read waits for no timer.
      if (this.#pending.length === 0) queueMicrotask(() => this.#flush());
      this.#pending.push(request);
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    readRanges(this.#io, batch).then(
      (buffers) => batch.forEach((request, i) => request.resolve(buffers[i]!)),
      // readMany reports the first failed request's error; every request of the batch fails
      // with it, as none of their bytes can be trusted to be whole.
      (error: unknown) => batch.forEach((request) => request.reject(error)),
    );
  }
}

function settle(request: Pending, action: () => void): void {
  if (request.settled) return;
  request.settled = true;
  action();
}
