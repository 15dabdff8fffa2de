import { MfioError, outOfRange } from '../errors.js';
import type { Packet, PacketView } from '../packet.js';
import type { IoBackend } from '../packet-io.js';
import { SeededRandom } from '../seeded-random.js';

/** Options of {@link MemoryBackend}: how it fragments and orders completions, to test backends' edge cases. */
export interface MemoryBackendOptions {
  /** Split each request into up to this many fragments at random offsets (default 1: no split). */
  maxFragments?: number;
  /** Complete the fragments of each submission in random order (default false). */
  shuffle?: boolean;
  /** Seed of the splits and the order (default 1). */
  seed?: number;
  /**
   * `'auto'` (default): completions run on the next turn of the event loop. `'manual'`: they run
   * only when {@link MemoryBackend.flush} or `blockOn` is called, like a kernel that has not
   * answered yet, so tests can act while requests are in flight.
   */
  completion?: 'auto' | 'manual';
  /**
   * Accept at most this many bytes per write fragment, like a device that takes writes in
   * pieces (default: no limit). 0 models a device that accepts nothing and reports no error.
   */
  writeLimit?: number;
}

/**
 * Drives the completions of in-memory I/O: a queue of pending completions, run asynchronously
 * (never inside `sendIo`), optionally in fragments and out of order to exercise packet logic.
 * It keeps the process alive only while completions are pending.
 */
export class MemoryBackend implements IoBackend {
  readonly name = 'memory';
  /** Fragments completed so far, and how many of them were cancelled (transferred nothing). */
  readonly stats: {
    /** Fragments completed, cancelled ones included. */
    completed: number;
    /** Of those, the ones cancelled. */
    cancelled: number;
  } = { completed: 0, cancelled: 0 };
  /** Bytes a write fragment may transfer at most (Infinity: no limit). */
  readonly writeLimit: number;
  readonly #maxFragments: number;
  readonly #shuffle: boolean;
  readonly #manual: boolean;
  readonly #random: SeededRandom;
  #queue: Array<() => void> = [];
  #head = 0;
  #scheduled = false;

  constructor(options: MemoryBackendOptions = {}) {
    const maxFragments = options.maxFragments ?? 1;
    if (!Number.isSafeInteger(maxFragments) || maxFragments < 1) throw outOfRange('options.maxFragments', 'an integer >= 1', maxFragments);
    this.#maxFragments = maxFragments;
    this.#shuffle = options.shuffle ?? false;
    this.#manual = options.completion === 'manual';
    this.#random = new SeededRandom(options.seed ?? 1);
    const writeLimit = options.writeLimit ?? Infinity;
    if (!(writeLimit === Infinity || (Number.isSafeInteger(writeLimit) && writeLimit >= 0))) {
      throw outOfRange('options.writeLimit', 'an integer >= 0', writeLimit);
    }
    this.writeLimit = writeLimit;
  }

  pollHandle(): null {
    return null;
  }

  /** Completions queued and not yet run. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Split `view` into random fragments as configured (just `[view]` by default). */
  fragment(view: PacketView): PacketView[] {
    const out: PacketView[] = [];
    let rest = view;
    const cuts = this.#maxFragments > 1 ? this.#random.int(Math.min(this.#maxFragments, view.length)) : 0;
    for (let i = 0; i < cuts && rest.length > 1; i++) {
      const [head, tail] = rest.splitAt(1 + this.#random.int(rest.length - 1));
      out.push(head);
      rest = tail;
    }
    out.push(rest);
    return out;
  }

  /** Queue completions, in random order if configured. */
  schedule(completions: Array<() => void>): void {
    if (this.#shuffle) this.#random.shuffle(completions);
    for (const completion of completions) this.#queue.push(completion);
    if (!this.#manual && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#run(this.#queue.length);
      });
    }
  }

  /** Run every pending completion now, including ones queued meanwhile; returns how many ran. */
  flush(): number {
    let ran = 0;
    while (this.pending > 0) ran += this.#run(this.#queue.length);
    return ran;
  }

  /** Run the next `count` pending completions (fewer if fewer are pending); returns how many ran. */
  runNext(count = 1): number {
    if (!Number.isSafeInteger(count) || count < 0) throw outOfRange('count', 'an integer >= 0', count);
    return this.#run(Math.min(this.#queue.length, this.#head + count));
  }

  /** Run completions until `packet` settles. @throws {MfioError} ERR_MFIO_DEADLOCK if none are left. */
  blockOn(packet: Packet): void {
    while (!packet.settled) {
      if (this.pending === 0) {
        packet.cancel();
        throw new MfioError('ERR_MFIO_DEADLOCK', 'The packet has fragments that no pending completion will finish');
      }
      this.runNext(1);
    }
  }

  /** Run queued completions up to index `until`, then drop what ran. */
  #run(until: number): number {
    const start = this.#head;
    while (this.#head < until) {
      const completion = this.#queue[this.#head]!;
      this.#head++;
      completion();
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    return until - start;
  }
}
