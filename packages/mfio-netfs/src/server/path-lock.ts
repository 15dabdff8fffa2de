/**
 * One lock over the served tree's names, shared by every connection. A request resolves its
 * path (checking each component under the root) and then hands it to the backend; a RENAME or
 * HARD_LINK in between could move a symlink into the checked path (`sub/up -> ..` renamed to
 * `up` points outside the root), so those two take the lock alone and every other path request
 * shares it from its check to the end of its call. Writers go first once queued, so a stream
 * of reads cannot starve a rename.
 */
export class PathLock {
  #readers = 0;
  #writer = false;
  readonly #queue: Array<{ exclusive: boolean; grant: () => void }> = [];

  /** Run `body` while no rename or link runs. */
  shared<T>(body: () => Promise<T>): Promise<T> {
    return this.#with(false, body);
  }

  /** Run `body` while nothing else holds the lock. */
  exclusive<T>(body: () => Promise<T>): Promise<T> {
    return this.#with(true, body);
  }

  async #with<T>(exclusive: boolean, body: () => Promise<T>): Promise<T> {
    await this.#acquire(exclusive);
    try {
      return await body();
    } finally {
      if (exclusive) this.#writer = false;
      else this.#readers--;
      this.#drain();
    }
  }

  #acquire(exclusive: boolean): Promise<void> {
    if (this.#queue.length === 0 && !this.#writer && (!exclusive || this.#readers === 0)) {
      if (exclusive) this.#writer = true;
      else this.#readers++;
      return Promise.resolve();
    }
    return new Promise((grant) => this.#queue.push({ exclusive, grant }));
  }

  #drain(): void {
    while (this.#queue.length > 0 && !this.#writer) {
      const next = this.#queue[0]!;
      if (next.exclusive) {
        if (this.#readers > 0) return;
        this.#writer = true;
      } else {
        this.#readers++;
      }
      this.#queue.shift();
      next.grant();
    }
  }
}
