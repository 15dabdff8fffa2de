import { MfioError } from '@mfio/core';
import { loadAddon, type NativeAddon, type NativeExecutorClass, type NativeSockets } from '../../native/addon.js';
import { chooseDelivery, type Delivery } from '../delivery.js';
import { currentHost } from '../host.js';
import { unavailable, type BackendDrivers, type BackendName, type BackendStartOptions } from '../contract.js';
import { NativeFsDriver } from './native-fs-driver.js';
import { NativeQueue } from './native-queue.js';
import { NativeTcpDriver } from './native-tcp-driver.js';

/**
 * Start a native backend: load the addon, make its executor (`pick` returns the class, or
 * undefined where it is not compiled in), and put the shared drivers on top. Every failure
 * becomes ERR_MFIO_BACKEND_UNAVAILABLE with the reason, so the builder can fall back. The
 * executor wakes the JS thread the way backends/delivery.ts picks for this host (Node, Bun, Deno).
 */
export function startNativeBackend(
  name: BackendName,
  pick: (addon: NativeAddon) => NativeExecutorClass | undefined,
  size: number,
  options: BackendStartOptions,
): BackendDrivers {
  // Before the addon loads: a forced path the host lacks is refused, never tried.
  const delivery: Delivery = chooseDelivery(name);
  let queue: NativeQueue;
  let sockets: NativeSockets;
  try {
    const addon = loadAddon();
    const Executor = pick(addon);
    if (Executor === undefined) throw unavailable(name, 'it is not compiled into the addon on this platform');
    sockets = socketsOf(name, addon);
    queue = new NativeQueue(name, Executor, size, delivery.path, currentHost().name === 'node');
  } catch (error) {
    if (error instanceof MfioError && error.code === 'ERR_MFIO_BACKEND_UNAVAILABLE') throw error;
    throw unavailable(name, error instanceof MfioError ? error.message : describe(error));
  }
  return {
    backend: queue,
    fs: new NativeFsDriver(queue, options.cwd),
    tcp: new NativeTcpDriver(queue, sockets),
    delivery,
    close: () => queue.close(),
  };
}

function socketsOf(name: string, addon: NativeAddon): NativeSockets {
  const { socketOpen, socketListen, socketName, socketNoDelay, socketResetClose } = addon;
  if (!socketOpen || !socketListen || !socketName || !socketNoDelay || !socketResetClose) {
    throw unavailable(name, 'the addon was built without socket support');
  }
  return { socketOpen, socketListen, socketName, socketNoDelay, socketResetClose };
}

/** An executor's constructor error, with its errno's code (EPERM from io_uring_setup in a sandbox). */
function describe(error: unknown): string {
  const errno = (error as { errno?: unknown }).errno;
  const message = (error as Error).message ?? String(error);
  if (typeof errno !== 'number' || errno >= 0) return message;
  return `${message} (${MfioError.fromErrno(errno).code})`;
}
