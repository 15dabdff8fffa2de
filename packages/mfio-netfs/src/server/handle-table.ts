import { MfioError } from '@mfio/core';
import type { DirEntry, FileHandle } from '@mfio/rt';

/** An open READ_DIR iteration: its iterator, an entry that did not fit the last page, a queue. */
export interface DirIteration {
  readonly iterator: AsyncIterator<DirEntry>;
  carry: DirEntry | null;
  /** Pages of one iteration are read one after another. */
  turn: Promise<void>;
}

/**
 * Handles held across every connection of one server, against a cap under the process's own
 * file descriptor limit: per-connection limits alone (1,024 × 256 connections) would let one
 * client's connections take every descriptor and lock the others out.
 */
export class HandleBudget {
  used = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }
}

/**
 * The handles of one connection: files and directory iterations under one count and one id
 * space, so `maxHandles` bounds what a client can hold open and ids are never reused while a
 * handle is open. Everything left is released when the connection ends.
 */
export class HandleTable {
  readonly #max: number;
  readonly #files = new Map<number, FileHandle>();
  readonly #dirs = new Map<number, DirIteration>();
  readonly #budget: HandleBudget;
  #reserved = 0;
  #next = 1;

  constructor(max: number, budget: HandleBudget) {
    this.#max = max;
    this.#budget = budget;
  }

  get size(): number {
    return this.#files.size + this.#dirs.size;
  }

  /**
   * Take a slot before opening (opens run concurrently; counting only finished ones would let
   * a burst of opens pass the limit). Release it with the returned function, or fill it.
   * @throws {MfioError} EMFILE when the connection, or the whole server, holds its maximum.
   */
  reserve(): () => void {
    if (this.size + this.#reserved >= this.#max || this.#budget.used >= this.#budget.max) {
      throw MfioError.fromCode('EMFILE', { syscall: 'open' });
    }
    this.#reserved++;
    this.#budget.used++;
    let released = false;
    return () => {
      if (!released) {
        this.#reserved--;
        this.#budget.used--;
      }
      released = true;
    };
  }

  #id(): number {
    // Ids grow and wrap within u32, skipping 0 and ids still open.
    for (;;) {
      const id = this.#next;
      this.#next = this.#next >= 0xffffffff ? 1 : this.#next + 1;
      if (!this.#files.has(id) && !this.#dirs.has(id)) return id;
    }
  }

  addFile(file: FileHandle): number {
    const id = this.#id();
    this.#budget.used++;
    this.#files.set(id, file);
    return id;
  }

  addDir(iteration: DirIteration): number {
    const id = this.#id();
    this.#budget.used++;
    this.#dirs.set(id, iteration);
    return id;
  }

  /** @throws {MfioError} EBADF for an id that is not an open file of this connection. */
  file(id: number, syscall: string): FileHandle {
    const file = this.#files.get(id);
    if (file === undefined) throw MfioError.fromCode('EBADF', { syscall });
    return file;
  }

  /** @throws {MfioError} EBADF for an id that is not an open iteration of this connection. */
  dir(id: number, syscall: string): DirIteration {
    const dir = this.#dirs.get(id);
    if (dir === undefined) throw MfioError.fromCode('EBADF', { syscall });
    return dir;
  }

  /** Forget a file (later requests get EBADF) and return it for closing. */
  takeFile(id: number): FileHandle {
    const file = this.file(id, 'close');
    this.#files.delete(id);
    this.#budget.used--;
    return file;
  }

  takeDir(id: number): DirIteration {
    const dir = this.dir(id, 'closedir');
    this.#dirs.delete(id);
    this.#budget.used--;
    return dir;
  }

  /** Close everything still open (the connection ended); never rejects. */
  async releaseAll(): Promise<void> {
    const files = [...this.#files.values()];
    const dirs = [...this.#dirs.values()];
    this.#budget.used -= files.length + dirs.length;
    this.#files.clear();
    this.#dirs.clear();
    await Promise.all([
      ...files.map((file) => file.close().catch(() => undefined)),
      ...dirs.map((dir) => Promise.resolve(dir.iterator.return?.()).catch(() => undefined)),
    ]);
  }
}
