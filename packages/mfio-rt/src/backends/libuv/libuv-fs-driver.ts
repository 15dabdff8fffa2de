import * as nodeFs from 'node:fs';
import * as nodePath from 'node:path';
import type { IoBackend, MfioError } from '@mfio/core';
import { fromNodeError, systemError } from '../../errors.js';
import type { FsDriver, PathSyntax, RawFile } from '../../fs/driver.js';
import type { OpenFlags } from '../../fs/open-options.js';
import type { DirEntry, Metadata } from '../../fs/types.js';
import { LibuvFile } from './libuv-file.js';
import { fileTypeOf, toMetadata } from './metadata.js';
import { linuxCodeOnWindows, renameAsLinux } from './win32-errors.js';

const fsp = nodeFs.promises;
const C = nodeFs.constants;

/**
 * O_DIRECT where Node has it (Linux); on Windows libuv's UV_FS_O_DIRECT, which its `fs.open`
 * and our IOCP executor both turn into FILE_FLAG_NO_BUFFERING.
 */
export const DIRECT_OPEN_FLAG: number = C.O_DIRECT ?? 0x02000000;

/** `OpenFlags` as the `O_*` bits of open(2). */
export function toOpenMode(flags: OpenFlags): number {
  const writes = flags.write || flags.append;
  let mode = flags.read && writes ? C.O_RDWR : writes ? C.O_WRONLY : C.O_RDONLY;
  if (flags.append) mode |= C.O_APPEND;
  if (flags.direct === true) mode |= DIRECT_OPEN_FLAG;
  if (flags.createNew) mode |= C.O_CREAT | C.O_EXCL;
  else {
    if (flags.create) mode |= C.O_CREAT;
    if (flags.truncate) mode |= C.O_TRUNC;
  }
  return mode;
}

/** Whether `path` is a directory (false if it cannot be stat'ed). */
async function isDirectory(path: string): Promise<boolean> {
  return fsp.stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** Run a `node:fs` promise and map its error (to Linux's code where Windows differs). */
async function call<T>(operation: Promise<T>, syscall: string, path: string, dest?: string): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    const mapped = fromNodeError(error, dest === undefined ? { syscall, path } : { syscall, path, dest });
    throw process.platform === 'win32' ? await linuxCodeOnWindows(mapped, syscall, path, dest) : mapped;
  }
}

/**
 * The libuv driver's files and directories: `node:fs`, so libuv's thread pool does the
 * blocking calls. Directory operations take care to give the same codes as Rust's std on
 * Linux (e.g. `removeDirAll` on a file is ENOTDIR, not a silent unlink).
 *
 * Native backends can extend this class and override only `open` to keep these directory
 * operations.
 */
export class LibuvFsDriver implements FsDriver {
  readonly backend: IoBackend;
  /** O_DIRECT through `fs.open` (UV_FS_O_DIRECT on Windows); the alignment is probed. */
  readonly directIo = process.platform === 'linux' || process.platform === 'win32';
  readonly paths: PathSyntax = nodePath;
  readonly cwd: string;

  constructor(backend: IoBackend, cwd: string = process.cwd()) {
    this.backend = backend;
    this.cwd = nodePath.resolve(cwd);
  }

  async open(path: string, flags: OpenFlags): Promise<RawFile> {
    const fd = await call(
      new Promise<number>((resolve, reject) => {
        nodeFs.open(path, toOpenMode(flags), 0o666, (error, fd) => (error ? reject(error) : resolve(fd)));
      }),
      'open',
      path,
    );
    // POSIX lets a directory be opened for reading; every backend refuses it the same way.
    const stats = await new Promise<nodeFs.Stats | null>((resolve) => nodeFs.fstat(fd, (error, s) => resolve(error ? null : s)));
    if (stats?.isDirectory()) {
      await new Promise<void>((resolve) => nodeFs.close(fd, () => resolve()));
      throw systemError('EISDIR', { syscall: 'open', path });
    }
    return new LibuvFile(fd, path);
  }

  async metadata(path: string): Promise<Metadata> {
    return toMetadata(await call(fsp.stat(path), 'stat', path));
  }

  async *readDir(path: string): AsyncIterable<DirEntry> {
    const dir = await call(fsp.opendir(path, { bufferSize: 128 }), 'opendir', path);
    try {
      for (;;) {
        const entry = await call(dir.read(), 'scandir', path);
        if (entry === null) break;
        yield { name: entry.name, type: fileTypeOf(entry) };
      }
    } finally {
      await dir.close().catch(() => undefined);
    }
  }

  async createDir(path: string, recursive: boolean): Promise<void> {
    // Node's recursive mkdir already fails with EEXIST when a file is there, as Rust's does.
    await call(fsp.mkdir(path, { recursive }), 'mkdir', path);
  }

  removeDir(path: string): Promise<void> {
    return call(fsp.rmdir(path), 'rmdir', path);
  }

  async removeDirAll(path: string): Promise<void> {
    const stats = await call(fsp.lstat(path), 'lstat', path);
    // As Rust's remove_dir_all: a symlink is removed itself, never followed.
    if (stats.isSymbolicLink()) return call(fsp.unlink(path), 'unlink', path);
    if (!stats.isDirectory()) throw systemError('ENOTDIR', { syscall: 'rmdir', path });
    await call(fsp.rm(path, { recursive: true, force: false }), 'rm', path);
  }

  removeFile(path: string): Promise<void> {
    return call(fsp.unlink(path), 'unlink', path);
  }

  async rename(from: string, to: string): Promise<void> {
    if (process.platform === 'win32') await renameAsLinux(from, to);
    return call(fsp.rename(from, to), 'rename', from, to);
  }

  async copy(from: string, to: string): Promise<void> {
    // copyfile(3) on a directory fails late and differently per platform; name it up front.
    const stats = await call(fsp.stat(from), 'copyfile', from, to);
    if (stats.isDirectory()) throw systemError('EISDIR', { syscall: 'copyfile', path: from, dest: to });
    try {
      await call(fsp.copyFile(from, to), 'copyfile', from, to);
    } catch (error) {
      // Windows' CopyFileW onto a directory is "access denied" (EPERM from libuv); Linux says EISDIR.
      if (process.platform === 'win32' && (error as MfioError).code === 'EPERM' && (await isDirectory(to))) {
        throw systemError('EISDIR', { syscall: 'copyfile', path: from, dest: to });
      }
      throw error;
    }
  }

  hardLink(from: string, to: string): Promise<void> {
    return call(fsp.link(from, to), 'link', from, to);
  }

  setPermissions(path: string, mode: number): Promise<void> {
    return call(fsp.chmod(path, mode), 'chmod', path);
  }
}
