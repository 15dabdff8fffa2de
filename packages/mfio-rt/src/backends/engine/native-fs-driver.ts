import { constants } from 'node:fs';
import { systemError } from '../../errors.js';
import type { RawFile } from '../../fs/driver.js';
import type { OpenFlags } from '../../fs/open-options.js';
import type { Metadata } from '../../fs/types.js';
import { LibuvFsDriver, toOpenMode } from '../libuv/libuv-fs-driver.js';
import { cPath, statxBuffer } from './command-builder.js';
import { AT_FDCWD, O_PATH, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS } from './commands.js';
import { parseStatx, STATX_MASK } from './statx.js';
import { nativeCall, NativeFile } from './native-file.js';
import type { NativeQueue } from './native-queue.js';

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
    const fd = await nativeCall({ syscall: 'open', path }, (to) => this.#queue.cmd.openAt(to, cPath(path), toOpenMode(flags), 0o666));
    return this.#fileOf(fd, path);
  }

  /** openat2 from an O_PATH descriptor of `dir`, with RESOLVE_BENEATH (Linux 5.6+). */
  async openBeneath(dir: string, path: string, flags: OpenFlags): Promise<RawFile> {
    const queue = this.#queue;
    const where = `${dir}${dir.endsWith('/') ? '' : '/'}${path}`;
    const dirFd = await nativeCall({ syscall: 'open', path: dir }, (to) => queue.cmd.openAt(to, cPath(dir), O_PATH | constants.O_DIRECTORY, 0));
    let fd: number;
    try {
      const resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
      fd = await nativeCall({ syscall: 'openat2', path: where }, (to) => queue.cmd.openAt2(to, dirFd, cPath(path), toOpenMode(flags), 0o666, resolve));
    } finally {
      await nativeCall({ syscall: 'close', path: dir }, (to) => queue.cmd.close(to, dirFd)).catch(() => undefined);
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
    const out = statxBuffer();
    await nativeCall({ syscall: 'stat', path }, (to) => this.#queue.cmd.statx(to, AT_FDCWD, cPath(path), 0, STATX_MASK, out));
    return parseStatx(out);
  }

  override async createDir(path: string, recursive: boolean): Promise<void> {
    if (recursive) return super.createDir(path, true);
    await nativeCall({ syscall: 'mkdir', path }, (to) => this.#queue.cmd.mkdirAt(to, cPath(path), 0o777));
  }

  override async removeDir(path: string): Promise<void> {
    await nativeCall({ syscall: 'rmdir', path }, (to) => this.#queue.cmd.unlinkAt(to, cPath(path), true));
  }

  override async removeFile(path: string): Promise<void> {
    await nativeCall({ syscall: 'unlink', path }, (to) => this.#queue.cmd.unlinkAt(to, cPath(path), false));
  }

  override async rename(from: string, to: string): Promise<void> {
    await nativeCall({ syscall: 'rename', path: from, dest: to }, (done) => this.#queue.cmd.renameAt(done, cPath(from), cPath(to)));
  }

  override async hardLink(from: string, to: string): Promise<void> {
    await nativeCall({ syscall: 'link', path: from, dest: to }, (done) => this.#queue.cmd.linkAt(done, cPath(from), cPath(to)));
  }
}
