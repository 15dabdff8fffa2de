import { abortError } from './errors.js';
import type { PacketIo } from './packet-io.js';
import { writeAllAt } from './read-write.js';

/**
 * Sequential writes at increasing positions with up to `inFlight` of them running at once:
 * `write` resolves as soon as the chunk is admitted, not when it lands, and the first failure
 * is reported by the next `write` or by `flush`. The chunk must not be modified until `flush`
 * resolves (the backend owns it while it is in flight).
 */
export class PositionalWriter {
  readonly #io: PacketIo<number>;
  readonly #limit: number;
  readonly #controller = new AbortController();
  #position: number;
  #inFlight = 0;
  #failed = false;
  #failure: unknown = undefined;
  #wakers: Array<() => void> = [];

  constructor(io: PacketIo<number>, position: number, inFlight: number, signal?: AbortSignal) {
    this.#io = io;
    this.#position = position;
    this.#limit = inFlight;
    if (signal) {
      if (signal.aborted) this.#fail(abortError(signal));
      else signal.addEventListener('abort', () => this.abort(abortError(signal)), { once: true });
    }
  }

  /** The position the next chunk will be written at. */
  get position(): number {
    return this.#position;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#throwIfFailed();
    while (this.#inFlight >= this.#limit) {
      await this.#changed();
      this.#throwIfFailed();
    }
    const position = this.#position;
    this.#position += chunk.length;
    this.#inFlight++;
    writeAllAt(this.#io, position, chunk, { signal: this.#controller.signal }).then(
      () => this.#settled(),
      (error: unknown) => {
        this.#fail(error);
        this.#settled();
      },
    );
  }

  /** Resolves when every admitted chunk has landed; rejects with the first failure. */
  async flush(): Promise<void> {
    while (this.#inFlight > 0) await this.#changed();
    this.#throwIfFailed();
  }

  /** Cancel what is in flight; later calls reject with `reason`. */
  abort(reason: unknown = abortError()): void {
    this.#fail(reason);
    this.#controller.abort(reason);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failure;
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve));
  }

  #settled(): void {
    this.#inFlight--;
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }
}
