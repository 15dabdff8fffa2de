import type { Writable } from 'node:stream';

/**
 * Gathers every frame written to a socket in one tick into one write: the first write of a tick
 * corks the socket and the uncork runs once the tick's callbacks and promise jobs are done. With
 * no delay on the socket, each frame was its own syscall and TCP segment; 64 reads issued (or
 * answered) together now cost one `writev`.
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
