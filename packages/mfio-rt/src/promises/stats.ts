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

  isFile(): boolean {
    return this.#type === 'file';
  }
  isDirectory(): boolean {
    return this.#type === 'dir';
  }
  isSymbolicLink(): boolean {
    return this.#type === 'symlink';
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isFIFO(): boolean {
    return false;
  }
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
  readonly dev = 0;
  readonly ino = 0;
  readonly mode: number;
  readonly nlink = 0;
  readonly uid = 0;
  readonly gid = 0;
  readonly rdev = 0;
  readonly size: number;
  readonly blksize = 0;
  readonly blocks = 0;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly birthtimeMs: number;
  readonly atime: Date;
  readonly mtime: Date;
  readonly ctime: Date;
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
  readonly name: string;
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
