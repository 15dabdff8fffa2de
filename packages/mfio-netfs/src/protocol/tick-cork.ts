import type { Writable } from 'node:stream';

/**
 * Gathers the frames written to a socket together into one write: the first write corks the
 * socket and a `process.nextTick` uncorks it. Writes from one callback's promise jobs (reads
 * answered from one batch of completions, requests issued by the continuations of one batch of
 * answers) land in one `writev`; a write made from a callback itself, before its promise jobs,
 * goes out with the writes that follow it in that callback only. With no delay on the socket,
 * each frame used to be its own syscall and TCP segment.
 */
export class TickCork {
  readonly #socket: Writable;
  #held = false;
  readonly #release = (): void => {
    this.#held = false;
    this.#socket.uncork();
  };

  constructor(socket: Writable) {
    this.#socket = socket;
  }

  /** Cork until the end of the current tick (once per tick; later calls in it do nothing). */
  hold(): void {
    if (this.#held) return;
    this.#held = true;
    this.#socket.cork();
    process.nextTick(this.#release);
  }
}
