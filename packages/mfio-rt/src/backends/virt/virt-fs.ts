import { MemoryBackend } from '@mfio/core';
import { DriverFs } from '../../fs/driver-fs.js';
import { VirtDriver } from './virt-driver.js';

/** Options of {@link VirtFs}. */
export interface VirtFsOptions {
  /** Where `currentDir()` points (default `'/'`); created if missing. */
  cwd?: string;
  /** What completes file I/O (default: a new `MemoryBackend`, completing on the next loop turn). */
  backend?: MemoryBackend;
}

/**
 * An in-memory filesystem with the same API and the same error codes as a real one (ENOENT,
 * EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL for a directory moved into its own subtree), file
 * lengths and timestamps kept, POSIX paths. Files support the core's sync wrappers
 * (`readAtSync`...). No TCP. For tests, examples, and as a netfs server's root.
 * @example
 * const fs = new VirtFs();
 * await fs.currentDir().createDirAll('a/b');
 * const file = await fs.open('a/b/c.txt', { write: true, createNew: true });
 * await file.writeAllAt(0, 'hello');
 */
export class VirtFs extends DriverFs {
  constructor(options: VirtFsOptions = {}) {
    const driver = new VirtDriver(options.cwd ?? '/', options.backend ?? new MemoryBackend());
    if (driver.cwd !== '/') void driver.createDir(driver.cwd, true);
    super(driver);
  }
}
