import { MfioError } from '@mfio/core';
import type { BackendName } from './contract.js';
import { currentHost, hostTitle, type Host } from './host.js';

/**
 * How a native executor's completions reach the JS thread (src/native/common/delivery.h):
 * - `'uv'`: a libuv handle on Node's own loop (a `uv_poll_t` on the io_uring ring's fd, a
 *   `uv_async_t` for the thread pool). Node only: Bun has no libuv loop (its `uv_poll_init`
 *   aborts the process) and Deno imitates a few handles only.
 * - `'tsfn'`: a native thread (waiting on an eventfd the ring signals, or a pool worker) wakes
 *   the JS thread through a `napi_threadsafe_function`, which every Node-API host has.
 * Either way JS hears of every drained batch in one callback.
 */
export type DeliveryPath = 'uv' | 'tsfn';

/** The path a runtime's executor uses, and why that one (`rt.diagnostics().delivery`). */
export interface Delivery {
  /** `'uv'` or `'tsfn'`. */
  readonly path: DeliveryPath;
  /** Why this path, in words: the host, the backend (IOCP), or `MFIO_DELIVERY` set. */
  readonly reason: string;
}

/** The environment variable that forces a path on the native backends: `MFIO_DELIVERY=tsfn`. */
export const DELIVERY_ENV = 'MFIO_DELIVERY';

/**
 * The path for `backend` on `host`: {@link DELIVERY_ENV} when set, else libuv on Node (the
 * faster there: see packages/mfio-rt/README.md) and a thread-safe function elsewhere. Decided from
 * what the host says of itself (backends/host.ts), never by calling libuv, which Bun answers by
 * aborting the process.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE for a value of the variable other than `uv` or `tsfn`;
 *   ERR_MFIO_BACKEND_UNAVAILABLE for `uv` on a host without libuv.
 * @example chooseDelivery('io_uring', { name: 'bun', version: '1.4.5' }) // { path: 'tsfn', reason: 'Bun 1.4.5 ...' }
 */
export function chooseDelivery(backend: BackendName, host: Host = currentHost(), env: NodeJS.ProcessEnv = process.env): Delivery {
  if (backend === 'iocp') return { path: 'tsfn', reason: "the port's waiter thread wakes the loop through a thread-safe function on every host" };
  const value = forcedDelivery(env);
  if (value !== undefined) {
    if (value === 'uv' && host.name !== 'node') {
      throw new MfioError(
        'ERR_MFIO_BACKEND_UNAVAILABLE',
        `The ${backend} backend is unavailable: ${DELIVERY_ENV}=uv asks for libuv handles on the host's loop, and ${hostTitle(host)} has no libuv loop`,
      );
    }
    return { path: value, reason: `${DELIVERY_ENV}=${value}` };
  }
  if (host.name === 'node') return { path: 'uv', reason: `Node ${host.version}: a libuv handle on its own loop, the faster path there` };
  return { path: 'tsfn', reason: `${hostTitle(host)} has no libuv loop to put a handle on: a thread-safe function wakes it` };
}

/**
 * The path {@link DELIVERY_ENV} forces, or undefined when it is unset or empty.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE for anything but `uv` or `tsfn` (a typo must not
 *   quietly leave the default in place).
 */
export function forcedDelivery(env: NodeJS.ProcessEnv = process.env): DeliveryPath | undefined {
  const forced = env[DELIVERY_ENV];
  if (forced === undefined || forced.trim() === '') return undefined;
  const value = forced.trim();
  if (value !== 'uv' && value !== 'tsfn') throw new MfioError('ERR_INVALID_ARG_VALUE', `${DELIVERY_ENV} must be 'uv' or 'tsfn'; received '${forced}'`);
  return value;
}
