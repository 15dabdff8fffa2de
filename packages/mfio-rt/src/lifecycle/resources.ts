import { setMaxListeners } from 'node:events';
import { MfioError } from '@mfio/core';
import { systemError } from '../errors.js';

/** Something a runtime must shut when it closes. */
export interface Closeable {
  /** Cancel what can be cancelled, wait for the rest, release. Must not reject. */
  shut(): Promise<void>;
}

/**
 * What one runtime has open and in progress, so `close()` can cancel everything and resolve only
 * when every promise it handed out has settled. Per handle and per directory operation, never
 * per read or write (those are tracked by the handle that sends them).
 */
export class Resources {
  readonly #open = new Set<Closeable>();
  /** Taken from #open by close() and not shut yet: what a stuck close waits for. */
  readonly #shutting = new Set<Closeable>();
  readonly #controller = new AbortController();
  #pending = 0;
  #idle: Array<() => void> = [];
  #closing: Promise<void> | null = null;

  constructor() {
    // Every pending connect listens to it: many at once is normal, not a leak.
    setMaxListeners(0, this.#controller.signal);
  }

  /** Aborted when the runtime starts closing (with an ECANCELED reason). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  /** @throws {MfioError} EBADF once the runtime is closed. */
  check(syscall: string, path?: string): void {
    if (this.#closing !== null) throw closedError(syscall, path);
  }

  /** Track `resource`; if the runtime is already closing, shut it now (close still waits for it). */
  add(resource: Closeable): void {
    if (this.#closing === null) {
      this.#open.add(resource);
      return;
    }
    this.#pending++;
    this.#shutting.add(resource);
    void resource
      .shut()
      .catch(() => undefined)
      .then(() => {
        this.#shutting.delete(resource);
        if (--this.#pending === 0) this.#wake();
      });
  }

  /** Stop tracking `resource` (it released itself). */
  delete(resource: Closeable): void {
    this.#open.delete(resource);
  }

  /**
   * Keep `resource` tracked until `closing` (its own close) settles, then forget it: the
   * runtime's close must wait for a close the user started (and may escalate it through
   * `shut`), or it would tear the backend down under it. Returns `closing` as it settles.
   */
  untrackAfter(resource: Closeable, closing: Promise<void>): Promise<void> {
    return closing.finally(() => this.#open.delete(resource));
  }

  /**
   * Run a one-off operation (open, stat, connect...) so that close waits for it. If the runtime
   * closes while it runs and it produced a resource, `onLate` releases it and the call rejects
   * with ECANCELED.
   */
  async run<T>(syscall: string, path: string | undefined, operation: () => Promise<T>, onLate?: (value: T) => Promise<void>): Promise<T> {
    this.check(syscall, path);
    this.#pending++;
    try {
      const value = await operation();
      if (this.#closing !== null && onLate) {
        await onLate(value).catch(() => undefined);
        throw systemError('ECANCELED', path === undefined ? { syscall } : { syscall, path });
      }
      return value;
    } finally {
      if (--this.#pending === 0) this.#wake();
    }
  }

  /** What is open and in progress now, by kind (for diagnostics: what a stuck close waits for). */
  describe(): { closing: boolean; open: Record<string, number>; operations: number } {
    const open: Record<string, number> = {};
    for (const resource of [...this.#open, ...this.#shutting]) {
      const kind = resource.constructor.name;
      open[kind] = (open[kind] ?? 0) + 1;
    }
    return { closing: this.#closing !== null, open, operations: this.#pending };
  }

  /** Close everything: idempotent, never rejects. */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    this.#controller.abort(systemError('ECANCELED', { syscall: 'close' }));
    // Shut until nothing is left: an operation finishing late may add a resource.
    while (this.#open.size > 0 || this.#pending > 0) {
      const open = [...this.#open];
      this.#open.clear();
      await Promise.all(
        open.map((resource) => {
          this.#shutting.add(resource);
          return resource
            .shut()
            .catch(() => undefined)
            .finally(() => this.#shutting.delete(resource));
        }),
      );
      if (this.#pending > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    }
  }

  #wake(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}

/** EBADF for a handle or runtime that is closed. */
export function closedError(syscall: string, path?: string): MfioError {
  return systemError('EBADF', path === undefined ? { syscall } : { syscall, path });
}
