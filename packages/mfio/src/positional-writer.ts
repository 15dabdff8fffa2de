import { atLeastOne } from './chunks.js';
import { abortError } from './errors.js';
import type { PacketIo } from './packet-io.js';
import { toPosition, type Position } from './position.js';
import { writeAllAt } from './read-write.js';
import { unwatchSignal, watchSignal } from './submit.js';

/** Options of {@link PositionalWriter}. */
export interface PositionalWriterOptions {
  /** Chunks written at once (default 4). */
  inFlight?: number;
  /** Aborting cancels the writes in flight and fails every later call. */
  signal?: AbortSignal | undefined;
  /** Told of an abort at once, e.g. to destroy the stream built on the writer. */
  onAbort?: (error: unknown) => void;
}

/**
 * Sequential writes at increasing positions with up to `inFlight` of them running at once.
 * Each chunk's position is fixed when `write` is called, so chunks land in call order whatever
 * order their writes finish in. `write` resolves as soon as the chunk is admitted, not when it
 * lands; the first failure is reported by the next `write` or by `flush`. A chunk must not be
 * modified until `flush` resolves (the backend owns it while it is in flight).
 * @example
 * const writer = new PositionalWriter(file, 0, { inFlight: 8 });
 * for (const chunk of chunks) await writer.write(chunk);
 * await writer.flush();
 */
export class PositionalWriter {
  readonly #io: PacketIo<number>;
  readonly #limit: number;
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: ((error: unknown) => void) | undefined;
  #position: number;
  #inFlight = 0;
  #failed = false;
  #failure: unknown = undefined;
  #wakers: Array<() => void> = [];
  readonly #abortFromSignal = (): void => this.abort(abortError(this.#signal));

  /** @throws {MfioError} ERR_OUT_OF_RANGE / ERR_INVALID_ARG_TYPE for a bad position or inFlight. */
  constructor(io: PacketIo<number>, position: Position, options: PositionalWriterOptions = {}) {
    this.#io = io;
    this.#position = toPosition(position, 0);
    this.#limit = atLeastOne(options.inFlight ?? 4, 'options.inFlight');
    this.#signal = options.signal;
    this.#onAbort = options.onAbort;
    if (this.#signal) {
      if (this.#signal.aborted) this.#fail(abortError(this.#signal));
      else watchSignal(this.#signal, this.#abortFromSignal);
    }
  }

  /** The position the next chunk will be written at. */
  get position(): number {
    return this.#position;
  }

  /**
   * Write `chunk` at {@link position} and advance it; resolves once the chunk is admitted (fewer
   * than `inFlight` writes running), not when it lands.
   * @throws {MfioError} the first earlier failure, or ABORT_ERR after an abort; ERR_OUT_OF_RANGE past the largest position.
   */
  async write(chunk: Uint8Array): Promise<void> {
    this.#throwIfFailed();
    // The position is taken now: a caller that gets a free slot first cannot overtake this one.
    const position = this.#position;
    this.#position = toPosition(position, chunk.length) + chunk.length;
    while (this.#inFlight >= this.#limit) {
      await this.#changed();
      this.#throwIfFailed();
    }
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
    this.#release();
    this.#throwIfFailed();
  }

  /** Cancel what is in flight; later calls reject with `reason`. */
  abort(reason: unknown = abortError()): void {
    const first = !this.#failed;
    this.#fail(reason);
    this.#controller.abort(reason);
    this.#release();
    this.#wake();
    if (first) this.#onAbort?.(reason);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failure;
  }

  /** Stop listening to the caller's signal: nothing is left to cancel. */
  #release(): void {
    if (this.#signal) unwatchSignal(this.#signal, this.#abortFromSignal);
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve));
  }

  #settled(): void {
    this.#inFlight--;
    this.#wake();
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }
}
