import type { IoBackend } from '@mfio/core';
import type { BackendDrivers, BackendFactory, BackendStartOptions } from '../contract.js';
import { LibuvFsDriver } from './libuv-fs-driver.js';
import { LibuvTcpDriver } from './libuv-tcp-driver.js';

/**
 * libuv's own completion machinery, reached through `node:fs` and `node:net`: nothing to poll
 * (libuv is Node's loop already) and no way to block on one completion, so the sync wrappers
 * report ERR_MFIO_CANNOT_BLOCK on this backend.
 */
class LibuvBackend implements IoBackend {
  readonly name = 'libuv';
  pollHandle(): null {
    return null;
  }
}

/** The libuv backend: runs on every platform Node runs on; the fallback of `build()`. */
export const libuvFactory: BackendFactory = {
  name: 'libuv',
  start(options: BackendStartOptions): BackendDrivers {
    const backend = new LibuvBackend();
    return { backend, fs: new LibuvFsDriver(backend, options.cwd), tcp: new LibuvTcpDriver(backend) };
  },
};

export { LibuvFsDriver, LibuvTcpDriver };
