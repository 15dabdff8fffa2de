import { MfioError } from '@mfio/core';
import { unavailable, type BackendFactory } from '../contract.js';
import { startNativeBackend } from '../engine/start-native.js';

/** The environment variable that sets the pool's thread count: `MFIO_THREADPOOL_THREADS=32`. */
export const THREADS_ENV = 'MFIO_THREADPOOL_THREADS';

/**
 * Threads per pool when {@link THREADS_ENV} is unset. Blocking I/O threads mostly wait, so this
 * is not the core count but how many reads the device sees at once. The pool keeps only the core
 * count awake while reads are served from the page cache and wakes more as reads block on the
 * disk (src/native/threadpool/worker_pool.h), so a large pool costs a warm cache nothing.
 *
 * Measured here (2 cores, virtio disk, Linux 6.18): random 4 KiB reads over a 2 GiB file, 64 in
 * flight, page cache dropped first (posix_fadvise DONTNEED), 2 s per run, 3 runs, reads/s:
 *   8 threads: 54-62k   16: 73-83k   32: 87-101k   64: 68-84k
 * 32 wins on a cold cache.
 */
export const DEFAULT_THREADS = 32;

/** Upper bound, as in the addon (WorkerPool::kMaxThreads). */
const MAX_THREADS = 1024;

/**
 * The pool size: {@link THREADS_ENV} if set, else {@link DEFAULT_THREADS}.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE when the variable is not an integer from 1 to 1024.
 */
export function threadCount(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[THREADS_ENV];
  if (value === undefined || value.trim() === '') return DEFAULT_THREADS;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new MfioError('ERR_INVALID_ARG_VALUE', `${THREADS_ENV} must be an integer from 1 to ${MAX_THREADS}; received '${value}'`);
  }
  return threads;
}

/**
 * The portable native backend: a pool of native threads owned by the runtime, doing blocking
 * file and socket calls, independent of libuv's shared pool. The native choice where io_uring
 * and IOCP are not (macOS, BSDs, locked-down Linux). Unavailable on Windows and without the addon.
 */
export const threadpoolFactory: BackendFactory = {
  name: 'threadpool',
  start(options) {
    if (process.platform === 'win32') {
      throw unavailable(
        'threadpool',
        'not built for Windows: its blocking calls (pread/pwrite, openat, poll on a wakeup fd) are POSIX and it wakes the loop ' +
          "with a uv_async_t, whose symbols node.exe's Node-API import library lacks; IOCP is the native backend there",
      );
    }
    return startNativeBackend('threadpool', (addon) => addon.ThreadpoolExecutor, threadCount(), options);
  },
};
