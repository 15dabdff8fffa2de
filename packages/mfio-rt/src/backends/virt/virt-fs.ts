import { constants as bufferConstants } from 'node:buffer';
import { MemoryBackend, toLength } from '@mfio/core';
import { DriverFs } from '../../fs/driver-fs.js';
import { VirtDriver } from './virt-driver.js';

/** Options of {@link VirtFs}. */
export interface VirtFsOptions {
  /** Where `currentDir()` points (default `'/'`); created if missing. */
  cwd?: string;
  /** What completes file I/O (default: a new `MemoryBackend`, completing on the next loop turn). */
  backend?: MemoryBackend;
  /**
   * The largest length a file may reach, in bytes (default `buffer.constants.MAX_LENGTH`, the
   * largest Buffer). Writes and `setLen` beyond it fail with EFBIG, as a full disk would, so a
   * client (e.g. of a netfs server whose root this is) cannot make it allocate without bound.
   */
  maxFileSize?: number;
}

/**
 * An in-memory filesystem with the same API and the same error codes as a real one (ENOENT,
 * EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EINVAL for a directory moved into its own subtree), file
 * lengths and timestamps kept, POSIX paths, a file size cap (EFBIG). Files support the core's sync wrappers
 * (`readAtSync`...). No TCP. For tests, examples, and as a netfs server's root.
 * @example
 * const fs = new VirtFs();
 * await fs.currentDir().createDirAll('a/b');
 * const file = await fs.open('a/b/c.txt', { write: true, createNew: true });
 * await file.writeAllAt(0, 'hello');
 */
export class VirtFs extends DriverFs {
  constructor(options: VirtFsOptions = {}) {
    const maxFileSize = toLength(options.maxFileSize ?? bufferConstants.MAX_LENGTH, 'options.maxFileSize');
    const driver = new VirtDriver(options.cwd ?? '/', options.backend ?? new MemoryBackend(), maxFileSize);
    if (driver.cwd !== '/') void driver.createDir(driver.cwd, true);
    super(driver);
  }
}
