import { MfioError, type IoBackend } from '@mfio/core';
import type { FsDriver } from '../fs/driver.js';
import type { TcpDriver } from '../net/driver.js';
import type { Delivery } from './delivery.js';

/** The backends, in the order `build()` tries them. */
export const BACKEND_ORDER = ['io_uring', 'iocp', 'threadpool', 'libuv'] as const;

/** Name of a backend the builder knows. */
export type BackendName = (typeof BACKEND_ORDER)[number];

/** What a started backend provides. */
export interface BackendDrivers {
  readonly backend: IoBackend;
  readonly fs: FsDriver;
  readonly tcp: TcpDriver;
  /** The native backends: how their completions reach the JS thread, and why that way. */
  readonly delivery?: Delivery;
  /** Release the backend's own resources (a ring, a thread pool) after every handle closed. */
  close?(): Promise<void>;
}

/** Options every backend is started with. */
export interface BackendStartOptions {
  /** The directory `currentDir()` starts at (absolute). */
  readonly cwd: string;
}

/** Starts one backend; the builder (runtime/native-rt.ts) holds one per {@link BackendName}. */
export interface BackendFactory {
  readonly name: BackendName;
  /**
   * Start the backend, synchronously.
   * @throws {MfioError} ERR_MFIO_BACKEND_UNAVAILABLE with the reason when it cannot run here.
   */
  start(options: BackendStartOptions): BackendDrivers;
}

/** ERR_MFIO_BACKEND_UNAVAILABLE: the backend cannot run here, and why. */
export function unavailable(name: string, reason: string): MfioError {
  return new MfioError('ERR_MFIO_BACKEND_UNAVAILABLE', `The ${name} backend is unavailable: ${reason}`);
}
