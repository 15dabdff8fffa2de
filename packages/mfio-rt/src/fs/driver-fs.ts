import { asyncDispose, dispose, invalidArgType, isSystemErrorCode, MfioError, type IoBackend } from '@mfio/core';
import { invalidArgValue, systemError } from '../errors.js';
import { closedError, Resources } from '../lifecycle/resources.js';
import type { FsDriver, RawFile } from './driver.js';
import { trackedEntries } from './dir-entries.js';
import { DriverFile } from './file.js';
import { openWithDirect } from './direct/open-direct.js';
import { toOpenFlags, type OpenOptions } from './open-options.js';
import { resolvePath, type ResolvedPath } from './resolve-path.js';
import type { Diagnostics, DirEntry, DirHandle, FileHandle, FileType, Fs, Metadata, PermissionsChange } from './types.js';

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
   * What is open and in flight now: for diagnosing a request that never completes or a
   * `close()` that does not settle. Cheap enough to log, not meant for a hot path.
   */
  diagnostics(): Diagnostics {
    const backend = this.driver.backend;
    return {
      backend: backend.name,
      ...this.resources.describe(),
      inFlight: backend.describeInFlight?.() ?? [],
      completed: backend.describeCompleted?.() ?? {},
    };
  }

  /**
   * Close every handle and cancel what is in flight; resolves when every promise handed out
   * has settled. Later calls reject with EBADF.
   */
  close(): Promise<void> {
    return this.resources.close();
  }

  /** {@link close}, for `await using fs = ...`. */
  [asyncDispose](): Promise<void> {
    return this.close();
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
    const target = this.#resolve(path, 'open');
    const { full } = target;
    const flags = toOpenFlags(options, full);
    const { driver, resources } = this.#fs;
    this.#check('open', full);
    const open = async (): Promise<RawFile> => {
      await this.#walk(target, 'open');
      if (target.trailing) {
        // `name/` is never a file: what open(2) answers for each case.
        if (flags.create || flags.createNew) throw systemError('EISDIR', { syscall: 'open', path: full });
        const type = await this.#typeOf(full, 'open');
        throw systemError(type === null ? 'ENOENT' : type === 'dir' ? 'EISDIR' : 'ENOTDIR', { syscall: 'open', path: full });
      }
      return openWithDirect(driver, (f) => driver.open(full, f), flags, full);
    };
    const raw = await resources.run('open', full, open, (late) => late.close());
    const file = new DriverFile(raw, driver.backend, full, flags, resources);
    resources.add(file);
    return file;
  }

  async openFileBeneath(path: string, options?: OpenOptions): Promise<FileHandle> {
    if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
    const { driver, resources } = this.#fs;
    const where = `${this.#path}${this.#path.endsWith('/') ? '' : '/'}${path}`;
    const flags = toOpenFlags(options, where);
    this.#check('open', where);
    const openBeneath = driver.openBeneath?.bind(driver);
    if (openBeneath === undefined) {
      throw new MfioError('ENOSYS', `The '${driver.backend.name}' backend cannot open beneath a directory with the kernel's check`, {
        syscall: 'openat2',
        path: where,
      });
    }
    // No lexical resolution here: `..`, absolute paths and symlinks are the kernel's to judge.
    const raw = await resources.run(
      'open',
      where,
      () => openWithDirect(driver, (f) => openBeneath(this.#path, path, f), flags, where),
      (late) => late.close(),
    );
    const file = new DriverFile(raw, driver.backend, where, flags, resources);
    resources.add(file);
    return file;
  }

  async openDir(path: string): Promise<DirHandle> {
    const target = this.#resolve(path, 'opendir');
    const full = target.full;
    const meta = await this.#run('opendir', full, async () => {
      await this.#walk(target, 'opendir');
      return this.#fs.driver.metadata(full);
    });
    if (meta.type !== 'dir') throw systemError('ENOTDIR', { syscall: 'opendir', path: full });
    return new DriverDir(this.#fs, full);
  }

  metadata(path = '.'): Promise<Metadata> {
    return this.#op('stat', path, (full) => this.#fs.driver.metadata(full));
  }

  createDir(path: string): Promise<void> {
    // mkdir(2) takes `name/`; a file there is EEXIST either way.
    return this.#op('mkdir', path, (full) => this.#fs.driver.createDir(full, false), false);
  }

  createDirAll(path: string): Promise<void> {
    return this.#op('mkdir', path, (full) => this.#fs.driver.createDir(full, true), false);
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
    return this.#op2('rename', from, to, async (a, b) => {
      // rename(2): `name/` on either side requires the source to be a directory.
      if (a.trailing || b.trailing) {
        const type = await this.#typeOf(a.full, 'rename');
        if (type !== null && type !== 'dir') throw systemError('ENOTDIR', { syscall: 'rename', path: a.full, dest: b.full });
      }
      return this.#fs.driver.rename(a.full, b.full);
    });
  }

  copy(from: string, to: string): Promise<void> {
    return this.#op2('copyfile', from, to, async (a, b) => {
      if (a.trailing) await this.#mustBeDir(a.full, 'copyfile'); // a directory then fails with EISDIR below
      // Creating `name/` as a file: open(2) answers EISDIR.
      if (b.trailing) throw systemError('EISDIR', { syscall: 'copyfile', path: a.full, dest: b.full });
      return this.#fs.driver.copy(a.full, b.full);
    });
  }

  hardLink(from: string, to: string): Promise<void> {
    return this.#op2('link', from, to, async (a, b) => {
      if (a.trailing) await this.#mustBeDir(a.full, 'link');
      if (b.trailing) {
        // link(2) never creates `name/`: EEXIST if something is there, else ENOENT.
        const type = await this.#typeOf(b.full, 'link');
        throw systemError(type === null ? 'ENOENT' : 'EEXIST', { syscall: 'link', path: a.full, dest: b.full });
      }
      return this.#fs.driver.hardLink(a.full, b.full);
    });
  }

  async setPermissions(path: string, permissions: PermissionsChange): Promise<void> {
    const target = this.#resolve(path, 'chmod');
    const full = target.full;
    if (typeof permissions !== 'object' || permissions === null) throw invalidArgType('permissions', 'of type object', permissions);
    let mode: number;
    if ('mode' in permissions) {
      mode = permissions.mode;
      if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw invalidArgValue('permissions.mode', 'must be an integer from 0 to 0o7777', mode);
      await this.#run('chmod', full, () => this.#checkPath(target, 'chmod'));
    } else if ('readOnly' in permissions && typeof permissions.readOnly === 'boolean') {
      await this.#run('chmod', full, () => this.#checkPath(target, 'chmod'));
      const current = await this.#run('chmod', full, () => this.#fs.driver.metadata(full));
      // As Rust's set_readonly: clear every write bit, or set every write bit.
      mode = permissions.readOnly ? current.permissions.mode & ~0o222 : current.permissions.mode | 0o222;
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

  [asyncDispose](): Promise<void> {
    return this.close();
  }

  [dispose](): void {
    this.#closed = true;
  }

  #check(syscall: string, path: string): void {
    if (this.#closed) throw closedError(syscall, path);
    this.#fs.resources.check(syscall, path);
  }

  /** Validate a path argument and resolve it against this directory. */
  #resolve(path: unknown, syscall: string): ResolvedPath {
    if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
    if (path.includes('\0')) throw invalidArgValue('path', 'must be a string without null bytes', path);
    // The OS answers ENOENT for an empty path; resolving it would name the directory itself.
    if (path === '') throw systemError('ENOENT', { syscall, path });
    return resolvePath(this.#fs.driver.paths, this.#path, path);
  }

  /** The kernel's checks that lexical resolution skipped: every directory `.`/`..` steps out of. */
  async #walk(target: ResolvedPath, syscall: string): Promise<void> {
    for (const dir of target.through) await this.#mustBeDir(dir, syscall, target.full);
  }

  /** {@link #walk}, and a trailing separator after a non-directory: ENOTDIR. */
  async #checkPath(target: ResolvedPath, syscall: string): Promise<void> {
    await this.#walk(target, syscall);
    if (target.trailing) await this.#mustBeDir(target.full, syscall);
  }

  /** ENOTDIR if `path` exists and is not a directory (missing is left to the operation). */
  async #mustBeDir(path: string, syscall: string, reported = path): Promise<void> {
    const type = await this.#typeOf(path, syscall, reported);
    if (type !== null && type !== 'dir') throw systemError('ENOTDIR', { syscall, path: reported });
  }

  /** The type of `path` (following symlinks), or null if it does not exist. */
  async #typeOf(path: string, syscall: string, reported = path): Promise<FileType | null> {
    try {
      return (await this.#fs.driver.metadata(path)).type;
    } catch (error) {
      if (error instanceof MfioError && error.code === 'ENOENT') return null;
      // Reported as the caller's syscall and path; an ERR_* error is not a system error: as it is.
      if (error instanceof MfioError && isSystemErrorCode(error.code)) throw systemError(error.code, { syscall, path: reported });
      throw error;
    }
  }

  #run<T>(syscall: string, full: string, operation: () => Promise<T>): Promise<T> {
    this.#check(syscall, full);
    return this.#fs.resources.run(syscall, full, operation);
  }

  /** Run `operation` on one path; `dirSyntax`: `name/` must be a directory (ENOTDIR otherwise). */
  async #op<T>(syscall: string, path: string, operation: (full: string) => Promise<T>, dirSyntax = true): Promise<T> {
    const target = this.#resolve(path, syscall);
    return this.#run(syscall, target.full, async () => {
      if (dirSyntax) await this.#checkPath(target, syscall);
      else await this.#walk(target, syscall);
      return operation(target.full);
    });
  }

  async #op2(syscall: string, from: string, to: string, operation: (a: ResolvedPath, b: ResolvedPath) => Promise<void>): Promise<void> {
    const a = this.#resolve(from, syscall);
    const b = this.#resolve(to, syscall);
    return this.#run(syscall, a.full, async () => {
      await this.#walk(a, syscall);
      await this.#walk(b, syscall);
      return operation(a, b);
    });
  }
}
