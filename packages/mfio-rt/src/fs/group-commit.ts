/**
 * Group commit for one handle's `sync` or `datasync`: requests that come while a flush is in
 * flight share the next one, so N writers waiting to be durable cost two kernel calls, not N.
 *
 * The rule a database relies on: a request resolves only after a flush that *started after it
 * was made*. The flush in flight when it comes may have started before its writes reached the
 * file, so it never answers it; it waits for the next, which every request made meanwhile
 * shares. A flush that fails rejects each request that shared it.
 */
export class GroupCommit {
  readonly #flush: () => Promise<void>;
  /** The flush in flight, if any. */
  #running: Promise<void> | null = null;
  /** The flush that starts when `#running` ends, shared by the requests made meanwhile. */
  #next: Promise<void> | null = null;
  /** Kernel calls made so far (diagnostics and tests). */
  flushes = 0;

  constructor(flush: () => Promise<void>) {
    this.#flush = flush;
  }

  /** Resolves once a flush that started after this call has completed. */
  request(): Promise<void> {
    // A flush queued but not started yet starts after this call: it answers it too.
    if (this.#next !== null) return this.#next;
    if (this.#running === null) return this.#start();
    const after = this.#running.then(
      () => undefined,
      () => undefined,
    );
    const next = after.then(() => {
      this.#next = null;
      return this.#start();
    });
    this.#next = next;
    return next;
  }

  #start(): Promise<void> {
    this.flushes++;
    let running: Promise<void>;
    try {
      running = this.#flush();
    } catch (error) {
      running = Promise.reject(error);
    }
    this.#running = running;
    const done = (): void => {
      if (this.#running === running) this.#running = null;
    };
    running.then(done, done);
    return running;
  }
}
