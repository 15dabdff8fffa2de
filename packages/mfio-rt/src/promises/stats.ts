import { constants as fsConstants } from 'node:fs';
import type { DirEntry, FileType, Metadata } from '../fs/types.js';

const { S_IFREG, S_IFDIR, S_IFLNK } = fsConstants;
const TYPE_BITS: Readonly<Record<FileType, number>> = { file: S_IFREG, dir: S_IFDIR, symlink: S_IFLNK, unknown: 0 };

/**
 * The `is*()` tests `fs.Stats` and `fs.Dirent` share. An `Fs` reports devices, FIFOs and sockets
 * as `'unknown'`, so those tests answer false.
 */
abstract class FileTypeTests {
  readonly #type: FileType;

  constructor(type: FileType) {
    this.#type = type;
  }

  /** Whether it is a regular file. */
  isFile(): boolean {
    return this.#type === 'file';
  }
  /** Whether it is a directory. */
  isDirectory(): boolean {
    return this.#type === 'dir';
  }
  /** Whether it is a symbolic link. */
  isSymbolicLink(): boolean {
    return this.#type === 'symlink';
  }
  /** Always false: an `Fs` reports devices as `'unknown'`. */
  isBlockDevice(): boolean {
    return false;
  }
  /** Always false: an `Fs` reports devices as `'unknown'`. */
  isCharacterDevice(): boolean {
    return false;
  }
  /** Always false: an `Fs` reports FIFOs as `'unknown'`. */
  isFIFO(): boolean {
    return false;
  }
  /** Always false: an `Fs` reports sockets as `'unknown'`. */
  isSocket(): boolean {
    return false;
  }
}

/**
 * What `stat` returns: the fields of Node's `fs.Stats` that an mfio `Fs` knows (`size`, `mode`
 * with its type bits, the times and the `is*()` tests), with the same names and types. What an
 * `Fs` does not report (`dev`, `ino`, `nlink`, `uid`, `gid`, `rdev`, `blksize`, `blocks`) is 0, a
 * time the filesystem does not keep is the epoch, and `ctime` is `mtime` (mfio's metadata has no
 * change time); see the README's table of differences.
 */
export class Stats extends FileTypeTests {
  /** Device id: Always 0: an mfio `Fs` does not report it. */
  readonly dev = 0;
  /** Inode number: Always 0: an mfio `Fs` does not report it. */
  readonly ino = 0;
  /** The type bits (`S_IFREG`, `S_IFDIR`, `S_IFLNK`, or none for other types) and the permission bits. */
  readonly mode: number;
  /** Hard link count: Always 0: an mfio `Fs` does not report it. */
  readonly nlink = 0;
  /** Owner user id: Always 0: an mfio `Fs` does not report it. */
  readonly uid = 0;
  /** Owner group id: Always 0: an mfio `Fs` does not report it. */
  readonly gid = 0;
  /** Device id of a special file: Always 0: an mfio `Fs` does not report it. */
  readonly rdev = 0;
  /** The size in bytes. */
  readonly size: number;
  /** Preferred I/O block size: Always 0: an mfio `Fs` does not report it. */
  readonly blksize = 0;
  /** 512-byte blocks allocated: Always 0: an mfio `Fs` does not report it. */
  readonly blocks = 0;
  /** Last access, in ms since the epoch (0 where the filesystem does not keep it). */
  readonly atimeMs: number;
  /** Last modification, in ms since the epoch (0 where the filesystem does not keep it). */
  readonly mtimeMs: number;
  /** The same as `mtimeMs`: mfio's metadata has no change time. */
  readonly ctimeMs: number;
  /** Creation, in ms since the epoch (0 where the filesystem does not keep it). */
  readonly birthtimeMs: number;
  /** `atimeMs` as a Date. */
  readonly atime: Date;
  /** `mtimeMs` as a Date. */
  readonly mtime: Date;
  /** `ctimeMs` as a Date (the modification time). */
  readonly ctime: Date;
  /** `birthtimeMs` as a Date. */
  readonly birthtime: Date;

  /** Not for users: made by `stat` and `FileHandle.stat`. */
  constructor(meta: Metadata) {
    super(meta.type);
    this.mode = TYPE_BITS[meta.type] | (meta.permissions.mode & 0o7777);
    this.size = meta.len;
    this.atimeMs = meta.accessed?.getTime() ?? 0;
    this.mtimeMs = meta.modified?.getTime() ?? 0;
    this.ctimeMs = this.mtimeMs;
    this.birthtimeMs = meta.created?.getTime() ?? 0;
    this.atime = new Date(this.atimeMs);
    this.mtime = new Date(this.mtimeMs);
    this.ctime = new Date(this.ctimeMs);
    this.birthtime = new Date(this.birthtimeMs);
  }
}

/**
 * An entry of `readdir(path, { withFileTypes: true })`, as Node's `fs.Dirent`: `name`, the
 * directory it was listed from (`parentPath`, and the older `path`), and the `is*()` tests. A
 * device, FIFO or socket answers false to every test (an `Fs` reports it as `'unknown'`).
 */
export class Dirent extends FileTypeTests {
  /** The entry's name, without its directory. */
  readonly name: string;
  /** The directory it was listed from, as passed to `readdir`. */
  readonly parentPath: string;
  /** The same as `parentPath` (Node 20's older name for it). */
  readonly path: string;

  /** Not for users: made by `readdir`. */
  constructor(entry: DirEntry, parentPath: string) {
    super(entry.type);
    this.name = entry.name;
    this.parentPath = parentPath;
    this.path = parentPath;
  }
}
