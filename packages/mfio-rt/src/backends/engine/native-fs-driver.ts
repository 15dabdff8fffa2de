import { constants } from 'node:fs';
import { isAbsolute, toNamespacedPath } from 'node:path';
import { invalidArgValue, systemError } from '../../errors.js';
import type { RawFile } from '../../fs/driver.js';
import type { OpenFlags } from '../../fs/open-options.js';
import type { Metadata } from '../../fs/types.js';
import { LibuvFsDriver, toOpenMode } from '../libuv/libuv-fs-driver.js';
import { AT_FDCWD, AT_REMOVEDIR, O_PATH, Op, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS } from './commands.js';
import { parseStatx, STATX_MASK, STATX_SIZE } from './statx.js';
import { nativeCall, NativeFile } from './native-file.js';
import type { NativeQueue } from './native-queue.js';

/** A path as the kernel reads it: UTF-8 with a NUL at the end (and none inside). */
function cPath(path: string): Buffer {
  if (path.includes('\0')) throw invalidArgValue('path', 'must be a string without null bytes', path);
  // On Windows an absolute path goes in the \\?\ form, as node:fs passes paths, so paths over
  // MAX_PATH (260) work (a relative one, openat2's, stays relative); elsewhere toNamespacedPath
  // returns the path as it is.
  return Buffer.from(`${isAbsolute(path) ? toNamespacedPath(path) : path}\0`, 'utf8');
}

/**
 * Files and directories on a native backend: open, statx, mkdir, unlink, rmdir, rename and link
 * are native commands (io_uring operations, or calls on the pool's threads); what has no command
 * (reading directories, recursive removal and creation, copy, chmod, ftruncate) runs on libuv's
 * pool, inherited from the libuv driver.
 */
export class NativeFsDriver extends LibuvFsDriver {
  readonly #queue: NativeQueue;

  constructor(queue: NativeQueue, cwd?: string) {
    super(queue, cwd);
    this.#queue = queue;
  }

  override async open(path: string, flags: OpenFlags): Promise<RawFile> {
    const fd = await nativeCall(this.#queue, Op.OpenAt, AT_FDCWD, cPath(path), 0o666, toOpenMode(flags), null, { syscall: 'open', path });
    return this.#fileOf(fd, path);
  }

  /** openat2 from an O_PATH descriptor of `dir`, with RESOLVE_BENEATH (Linux 5.6+). */
  async openBeneath(dir: string, path: string, flags: OpenFlags): Promise<RawFile> {
    const queue = this.#queue;
    const where = `${dir}${dir.endsWith('/') ? '' : '/'}${path}`;
    const dirFd = await nativeCall(queue, Op.OpenAt, AT_FDCWD, cPath(dir), 0, O_PATH | constants.O_DIRECTORY, null, { syscall: 'open', path: dir });
    let fd: number;
    try {
      const resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
      fd = await nativeCall(queue, Op.OpenAt2, dirFd, cPath(path), 0o666, toOpenMode(flags), null, { syscall: 'openat2', path: where }, resolve);
    } finally {
      await nativeCall(queue, Op.Close, dirFd, null, 0, 0, null, { syscall: 'close', path: dir }).catch(() => undefined);
    }
    return this.#fileOf(fd, where);
  }

  /** The file of a fresh descriptor, refused (and closed) if it is a directory. */
  async #fileOf(fd: number, path: string): Promise<RawFile> {
    const file = new NativeFile(this.#queue, fd, path);
    let type: string;
    try {
      type = (await file.metadata()).type;
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
    // POSIX lets a directory be opened for reading; every backend refuses it the same way.
    if (type === 'dir') {
      await file.close().catch(() => undefined);
      throw systemError('EISDIR', { syscall: 'open', path });
    }
    return file;
  }

  override async metadata(path: string): Promise<Metadata> {
    const out = new Uint8Array(STATX_SIZE);
    await nativeCall(this.#queue, Op.Statx, AT_FDCWD, cPath(path), STATX_MASK, 0, out, { syscall: 'stat', path });
    return parseStatx(out);
  }

  override async createDir(path: string, recursive: boolean): Promise<void> {
    if (recursive) return super.createDir(path, true);
    await nativeCall(this.#queue, Op.MkdirAt, AT_FDCWD, cPath(path), 0o777, 0, null, { syscall: 'mkdir', path });
  }

  override async removeDir(path: string): Promise<void> {
    await nativeCall(this.#queue, Op.UnlinkAt, AT_FDCWD, cPath(path), 0, AT_REMOVEDIR, null, { syscall: 'rmdir', path });
  }

  override async removeFile(path: string): Promise<void> {
    await nativeCall(this.#queue, Op.UnlinkAt, AT_FDCWD, cPath(path), 0, 0, null, { syscall: 'unlink', path });
  }

  override async rename(from: string, to: string): Promise<void> {
    await nativeCall(this.#queue, Op.RenameAt, AT_FDCWD, cPath(from), AT_FDCWD, 0, cPath(to), { syscall: 'rename', path: from, dest: to });
  }

  override async hardLink(from: string, to: string): Promise<void> {
    await nativeCall(this.#queue, Op.LinkAt, AT_FDCWD, cPath(from), AT_FDCWD, 0, cPath(to), { syscall: 'link', path: from, dest: to });
  }
}
