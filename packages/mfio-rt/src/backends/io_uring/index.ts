import { MfioError } from '@mfio/core';
import { loadAddon, type NativeAddon, type NativeSockets } from '../../native/addon.js';
import { unavailable, type BackendDrivers, type BackendFactory, type BackendStartOptions } from '../../runtime/registry.js';
import { UringFsDriver } from './uring-fs-driver.js';
import { UringTcpDriver } from './uring-tcp-driver.js';
import { UringQueue } from './uring-queue.js';

/** Submission queue entries per ring; more requests than this wait in JS, never dropped. */
export const RING_ENTRIES = 256;

/**
 * The io_uring backend: one ring per runtime, polled by Node's own loop. Unavailable (with the
 * reason) off Linux, without the addon, or where io_uring_setup fails (EPERM in containers,
 * ENOSYS on old kernels, io_uring_disabled).
 */
export const ioUringFactory: BackendFactory = {
  name: 'io_uring',
  start(options: BackendStartOptions): BackendDrivers {
    if (process.platform !== 'linux') throw unavailable('io_uring', 'only on Linux');
    let queue: UringQueue;
    let addon: ReturnType<typeof loadAddon>;
    try {
      addon = loadAddon();
      queue = new UringQueue(addon, RING_ENTRIES);
    } catch (error) {
      const reason = error instanceof MfioError ? error.message : describeSetupError(error);
      throw unavailable('io_uring', reason);
    }
    return {
      backend: queue,
      fs: new UringFsDriver(queue, options.cwd),
      tcp: new UringTcpDriver(queue, socketsOf(addon)),
      close: () => queue.close(),
    };
  },
};

function socketsOf(addon: NativeAddon): NativeSockets {
  const { socketOpen, socketListen, socketName, socketNoDelay, socketResetClose } = addon;
  if (!socketOpen || !socketListen || !socketName || !socketNoDelay || !socketResetClose) {
    throw unavailable('io_uring', 'the addon was built without socket support');
  }
  return { socketOpen, socketListen, socketName, socketNoDelay, socketResetClose };
}

function describeSetupError(error: unknown): string {
  const errno = (error as { errno?: unknown }).errno;
  const message = (error as Error).message ?? String(error);
  return typeof errno === 'number' ? `${message} (errno ${errno})` : message;
}

export { UringQueue, UringFsDriver };
