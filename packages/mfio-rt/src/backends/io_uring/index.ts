import { unavailable, type BackendFactory } from '../contract.js';
import { startNativeBackend } from '../engine/start-native.js';

/** Submission queue entries per ring; more requests than the ring holds wait in JS, never dropped. */
export const RING_ENTRIES = 256;

/**
 * The io_uring backend: one ring per runtime, polled by Node's own loop. Unavailable (with the
 * reason) off Linux, without the addon, or where io_uring_setup fails (EPERM in containers and
 * seccomp sandboxes, ENOSYS on old kernels, io_uring_disabled).
 */
export const ioUringFactory: BackendFactory = {
  name: 'io_uring',
  start(options) {
    if (process.platform !== 'linux') throw unavailable('io_uring', 'only on Linux');
    return startNativeBackend('io_uring', (addon) => addon.UringExecutor, RING_ENTRIES, options);
  },
};
