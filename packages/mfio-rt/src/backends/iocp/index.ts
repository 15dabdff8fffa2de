import { unavailable, type BackendFactory } from '../contract.js';
import { startNativeBackend } from '../engine/start-native.js';

/** The port's concurrency value: 0 lets Windows use the core count (one thread dequeues anyway). */
const PORT_CONCURRENCY = 0;

/**
 * The IOCP backend (Windows): overlapped ReadFile/WriteFile at offsets, ConnectEx, AcceptEx,
 * WSARecv/WSASend on one I/O completion port per runtime, drained in batches by a native thread
 * that wakes Node's loop (src/native/iocp/). Metadata and directory calls (open, stat, mkdir,
 * rename, …) have no overlapped form: they run on the system thread pool and complete through
 * the same port. Unavailable (with the reason) off Windows or without the addon.
 */
export const iocpFactory: BackendFactory = {
  name: 'iocp',
  start(options) {
    if (process.platform !== 'win32') throw unavailable('iocp', 'only on Windows');
    return startNativeBackend('iocp', (addon) => addon.IocpExecutor, PORT_CONCURRENCY, options);
  },
};
