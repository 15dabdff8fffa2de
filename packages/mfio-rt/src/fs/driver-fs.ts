import { invalidArgType, type IoBackend } from '@mfio/core';
import { invalidArgValue, systemError } from '../errors.js';
import { closedError, Resources } from '../runtime/resources.js';
import type { FsDriver } from './driver.js';
import { trackedEntries } from './dir-entries.js';
import { DriverFile } from './file.js';
import { toOpenFlags, type OpenOptions } from './open-options.js';
import type { DirEntry, DirHandle, FileHandle, Fs, Metadata, PermissionsChange } from './types.js';

/**
 * The {@link Fs} of a driver-based backend: every backend shares this logic (path resolution
 * against handles, option validation, EBADF after close, closing the runtime) and supplies
 * only an {@link FsDriver}.
 * @example
 * const fs = new DriverFs(driver);
 * const file = await fs.open('a.txt');
 */
export class DriverFs implements Fs {
  /** @internal */
  readonly driver: FsDriver;
  /** @internal */
  readonly resources: Resources;

  /** `resources` is shared with the runtime's Tcp so one close covers both. */
  constructor(driver: FsDriver, resources: Resources = new Resources()) {
    this.driver = driver;
    this.resources = resources;
  }

  /** What completes file I/O. */
  get backend(): IoBackend {
    return this.driver.backend;
  }

  currentDir(): DirHandle {
    return new DriverDir(this, this.driver.cwd);
  }

  open(path: string, options?: OpenOptions): Promise<FileHandle> {
    return this.currentDir().openFile(path, options);
  }

  /**
   * Close every handle and cancel what is in flight; resolves when every promise handed out
   * has settled. Later calls reject with EBADF.
   */
  close(): Promise<void> {
    return this.resources.close();
  }
}

/** A directory handle over a driver: a resolved absolute path plus the runtime's state. */
class DriverDir implements DirHandle {
  readonly #fs: DriverFs;
  readonly #path: string;
  #closed = false;

  constructor(fs: DriverFs, path: string) {
    this.#fs = fs;
    this.#path = path;
  }

  path(): string {
    return this.#path;
  }

  readDir(): AsyncIterable<DirEntry> {
    const path = this.#path;
    const check = (): void => this.#check('scandir', path);
    const { driver, resources } = this.#fs;
    return { [Symbol.asyncIterator]: () => trackedEntries(driver.readDir(path), resources, check) };
  }

  async openFile(path: string, options?: OpenOptions): Promise<FileHandle> {
    const full = this.#resolve(path, 'open');
    const flags = toOpenFlags(options, full);
    const { driver, resources } = this.#fs;
    this.#check('open', full);
    const raw = await resources.run('open', full, () => driver.open(full, flags), (late) => late.close());
    const file = new DriverFile(raw, driver.backend, full, flags, resources);
    resources.add(file);
    return file;
  }

  async openDir(path: string): Promise<DirHandle> {
    const full = this.#resolve(path, 'opendir');
    const meta = await this.#run('opendir', full, () => this.#fs.driver.metadata(full));
    if (meta.type !== 'dir') throw systemError('ENOTDIR', { syscall: 'opendir', path: full });
    return new DriverDir(this.#fs, full);
  }

  metadata(path = '.'): Promise<Metadata> {
    return this.#op('stat', path, (full) => this.#fs.driver.metadata(full));
  }

  createDir(path: string): Promise<void> {
    return this.#op('mkdir', path, (full) => this.#fs.driver.createDir(full, false));
  }

  createDirAll(path: string): Promise<void> {
    return this.#op('mkdir', path, (full) => this.#fs.driver.createDir(full, true));
  }

  removeDir(path: string): Promise<void> {
    return this.#op('rmdir', path, (full) => this.#fs.driver.removeDir(full));
  }

  removeDirAll(path: string): Promise<void> {
    return this.#op('rm', path, (full) => this.#fs.driver.removeDirAll(full));
  }

  removeFile(path: string): Promise<void> {
    return this.#op('unlink', path, (full) => this.#fs.driver.removeFile(full));
  }

  rename(from: string, to: string): Promise<void> {
    return this.#op2('rename', from, to, (a, b) => this.#fs.driver.rename(a, b));
  }

  copy(from: string, to: string): Promise<void> {
    return this.#op2('copyfile', from, to, (a, b) => this.#fs.driver.copy(a, b));
  }

  hardLink(from: string, to: string): Promise<void> {
    return this.#op2('link', from, to, (a, b) => this.#fs.driver.hardLink(a, b));
  }

  async setPermissions(path: string, permissions: PermissionsChange): Promise<void> {
    const full = this.#resolve(path, 'chmod');
    if (typeof permissions !== 'object' || permissions === null) throw invalidArgType('permissions', 'of type object', permissions);
    let mode: number;
    if ('mode' in permissions) {
      mode = permissions.mode;
      if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw invalidArgValue('permissions.mode', 'must be an integer from 0 to 0o7777', mode);
    } else if ('readOnly' in permissions && typeof permissions.readOnly === 'boolean') {
      const current = await this.#run('chmod', full, () => this.#fs.driver.metadata(full));
      mode = permissions.readOnly ? current.permissions.mode & ~0o222 : current.permissions.mode | 0o200;
    } else {
      throw invalidArgType('permissions', 'an object with a numeric "mode" or a boolean "readOnly"', permissions);
    }
    await this.#run('chmod', full, () => this.#fs.driver.setPermissions(full, mode));
  }

  /** Nothing to release (a directory handle is a path); later calls on it reject with EBADF. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #check(syscall: string, path: string): void {
    if (this.#closed) throw closedError(syscall, path);
    this.#fs.resources.check(syscall, path);
  }

  /** Validate a path argument and resolve it against this directory. */
  #resolve(path: unknown, syscall: string): string {
    if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
    if (path.includes('\0')) throw invalidArgValue('path', 'must be a string without null bytes', path);
    // The OS answers ENOENT for an empty path; resolving it would name the directory itself.
    if (path === '') throw systemError('ENOENT', { syscall, path });
    return this.#fs.driver.paths.resolve(this.#path, path);
  }

  #run<T>(syscall: string, full: string, operation: () => Promise<T>): Promise<T> {
    this.#check(syscall, full);
    return this.#fs.resources.run(syscall, full, operation);
  }

  async #op<T>(syscall: string, path: string, operation: (full: string) => Promise<T>): Promise<T> {
    const full = this.#resolve(path, syscall);
    return this.#run(syscall, full, () => operation(full));
  }

  async #op2(syscall: string, from: string, to: string, operation: (a: string, b: string) => Promise<void>): Promise<void> {
    const a = this.#resolve(from, syscall);
    const b = this.#resolve(to, syscall);
    return this.#run(syscall, a, () => operation(a, b));
  }
}
