import { MfioError, type IoBackend } from '@mfio/core';
import type { FsDriver } from '../fs/driver.js';
import type { TcpDriver } from '../net/driver.js';

/** The native runtimes, in the order `build()` tries them. */
export const BACKEND_ORDER = ['io_uring', 'iocp', 'threadpool', 'libuv'] as const;

/** Name of a backend the builder knows. */
export type BackendName = (typeof BACKEND_ORDER)[number];

/** What a started backend provides. */
export interface BackendDrivers {
  readonly backend: IoBackend;
  readonly fs: FsDriver;
  readonly tcp: TcpDriver;
  /** Release the backend's own resources (a ring, a thread pool) after every handle closed. */
  close?(): Promise<void>;
}

/** Options every backend is started with. */
export interface BackendStartOptions {
  /** The directory `currentDir()` starts at (absolute). */
  readonly cwd: string;
}

/** Starts one backend; a native backend registers one of these when its addon loads. */
export interface BackendFactory {
  readonly name: BackendName;
  /**
   * Start the backend, synchronously.
   * @throws {MfioError} ERR_MFIO_BACKEND_UNAVAILABLE with the reason when it cannot run here.
   */
  start(options: BackendStartOptions): BackendDrivers;
}

const factories = new Map<BackendName, BackendFactory>();

/**
 * Register (or replace) the factory of a backend. The native backends call this when their
 * addon is loaded; until then a placeholder reports why they are unavailable.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE for a name outside {@link BACKEND_ORDER}.
 * @example registerBackend({ name: 'io_uring', start: (options) => startIoUring(options) });
 */
export function registerBackend(factory: BackendFactory): void {
  if (!(BACKEND_ORDER as readonly string[]).includes(factory.name)) {
    throw new MfioError('ERR_INVALID_ARG_VALUE', `Unknown backend '${String(factory.name)}'; expected one of ${BACKEND_ORDER.join(', ')}`);
  }
  factories.set(factory.name, factory);
}

/** The factory registered for `name`. @internal */
export function backendFactory(name: BackendName): BackendFactory | undefined {
  return factories.get(name);
}

/** ERR_MFIO_BACKEND_UNAVAILABLE: the backend cannot run here, and why. */
export function unavailable(name: string, reason: string): MfioError {
  return new MfioError('ERR_MFIO_BACKEND_UNAVAILABLE', `The ${name} backend is unavailable: ${reason}`);
}

/** A factory that always fails with `reason` (the native backends until their addon exists). */
export function placeholder(name: BackendName, reason: () => string): BackendFactory {
  return {
    name,
    start() {
      throw unavailable(name, reason());
    },
  };
}
