import type { MfioError } from '@mfio/core';
import { systemError } from '../errors.js';
import type { RawStream } from './driver.js';

/**
 * A listener's connections between arriving and being accepted: each goes to the first waiting
 * `accept()`, or waits for one. Every driver's listener keeps one.
 */
export class AcceptQueue {
  readonly #ready: RawStream[] = [];
  readonly #waiting: Array<{ resolve: (stream: RawStream) => void; reject: (error: MfioError) => void }> = [];
  #error: MfioError | null = null;

  /** A connection arrived. */
  push(stream: RawStream): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(stream);
    else this.#ready.push(stream);
  }

  accept(): Promise<RawStream> {
    const stream = this.#ready.shift();
    if (stream) return Promise.resolve(stream);
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Reject the accepts waiting now; with `final`, every later one as well (the first error wins). */
  fail(error: MfioError, final = true): void {
    if (final) this.#error ??= error;
    const reason = final ? this.#error! : error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(reason);
  }

  /** At close: reset the connections nobody accepted, so their peers learn at once. */
  async resetUnaccepted(): Promise<void> {
    const error = systemError('ECONNRESET', { syscall: 'accept' });
    await Promise.all(this.#ready.splice(0).map((stream) => stream.destroy(error)));
  }
}
