import type { InFlightRequest, IoBackend, IoOptions, Position, PositionalIo, WriteSource } from '@mfio/core';
import type { DirectIoStats } from './direct/direct-types.js';
import type { OpenOptions } from './open-options.js';

/** What a directory entry or a path is. Symlinks are reported, not followed, by `readDir`. */
export type FileType = 'file' | 'dir' | 'symlink' | 'unknown';

/** One entry of {@link DirHandle.readDir}. */
export interface DirEntry {
  /** The entry's name (no directory part). */
  readonly name: string;
  /** What the entry is, without following a symlink (`'symlink'` for a link). */
  readonly type: FileType;
}

/** Access bits of a file or directory. */
export interface Permissions {
  /** The permission bits (`0o644`); on Windows only the write bits mean anything. */
  readonly mode: number;
  /** True when no write bit is set. */
  readonly readOnly: boolean;
}

/** What `metadata()` reports. Times are null where the filesystem does not keep them. */
export interface Metadata {
  /** Length in bytes (for a directory: what the filesystem reports, often 0 or 4096). */
  readonly len: number;
  /** Last change of the contents (mtime). A new Date per call: changing it changes nothing. */
  readonly modified: Date | null;
  /** Last access (atime), as the filesystem keeps it (often coarse: relatime). */
  readonly accessed: Date | null;
  /** Creation (birth time); null where the filesystem or platform does not report it. */
  readonly created: Date | null;
  /** The access bits and the read-only flag. */
  readonly permissions: Permissions;
  /** What the path is, after following symlinks (so never `'symlink'` here). */
  readonly type: FileType;
}

/**
 * A change of permissions: a full `mode`, or just the read-only flag: `true` clears every write
 * bit, `false` sets every write bit (`0o222`), as Rust's `set_readonly`.
 */
export type PermissionsChange =
  | {
      /** The permission bits to set, 0 to 0o7777 (`0o644`); else ERR_INVALID_ARG_VALUE. */
      readonly mode: number;
    }
  | {
      /** `true`: clear every write bit; `false`: set every write bit. */
      readonly readOnly: boolean;
    };

/**
 * An open file: a `PacketIo` at positions, so the whole high-level API of `@mfio/core`
 * (`readAt`, `writeAllAt`, `readMany`, `readToEnd`, streams, ...) works on it.
 *
 * Reads past the end are short (0 bytes at or after the end); writes past the end extend the
 * file, with zeros in any gap. In append mode every write lands at the end of the file
 * whatever position it names (as `O_APPEND` does).
 *
 * The core's sync wrappers (`readAtSync`, `writeAllAtSync`, ...) block for one completion on
 * backends that can (io_uring, threadpool, VirtFs); on libuv they throw ERR_MFIO_CANNOT_BLOCK
 * (Node's loop cannot be waited on from inside itself).
 */
export interface FileHandle extends PositionalIo {
  readonly backend: IoBackend;
  /** The absolute path the file was opened at (it does not follow renames). */
  readonly path: string;
  /** True once {@link close} was called. */
  readonly closed: boolean;
  /**
   * For a file opened with `direct` that got direct I/O: the alignment in use and the bytes
   * requested against the bytes the device moved (a snapshot). Null for a buffered handle,
   * including one `direct: 'prefer'` opened buffered because direct I/O was refused.
   * @example
   * const file = await rt.open('data.bin', { direct: true });
   * await file.readAt(1000, 100);
   * file.directIo; // { memory: 512, offset: 512, source: 'statx', readRequested: 100, readFromDevice: 512, ... }
   */
  readonly directIo: DirectIoStats | null;
  /**
   * Length, type, permissions and times of the open file.
   * @throws {MfioError} EBADF after close.
   */
  metadata(): Promise<Metadata>;
  /**
   * Truncate or extend (with zeros) to `length` bytes.
   * @throws {MfioError} EINVAL on a handle not open for writing; EBADF after close.
   */
  setLen(length: number): Promise<void>;
  /**
   * Flush the file's data and metadata to storage. Calls made in one turn of the event loop
   * share one flush (group commit); each resolves only after a flush that started after it was
   * made.
   * @throws {MfioError} EBADF after close.
   */
  sync(): Promise<void>;
  /**
   * As {@link sync}, but only what reading the data back needs (fdatasync: the data and the
   * length, not every timestamp): cheaper where the file's size does not change. Group commit
   * as for `sync`. @throws {MfioError} EBADF after close.
   */
  datasync(): Promise<void>;
  /**
   * Write all of `data` at `position`, resolving once it is on stable storage (the write, then
   * an fdatasync; linked in one submission on io_uring). See {@link DriverFile.writeDurable}.
   * @throws {MfioError} as `writeAllAt`; the flush's error with `syscall: 'fdatasync'`.
   */
  writeDurable(position: Position, data: WriteSource, options?: IoOptions): Promise<void>;
  /**
   * Close the handle. New requests fail with EBADF at once; the promise resolves after every
   * request already in flight on this handle has completed. Calling it again returns the same
   * promise.
   */
  close(): Promise<void>;
  /** {@link close}, for `await using file = await fs.open(path)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A directory: relative paths given to its methods resolve against it, absolute paths are used
 * as they are. The handle names the directory by path (like a working directory), so it does
 * not keep a removed directory alive.
 *
 * Paths are resolved against the handle lexically: `a/../b` is `b`, even when `a` is a symlink
 * (the kernel, and Rust's std, would resolve `..` from the link's target). What the kernel
 * checks on the way is kept: a component that `.` or `..` steps out of must be a directory,
 * and a trailing separator names a directory, so `f/`, `f/.`, `f/..` and `f/../f` fail with
 * ENOTDIR when `f` is a file (`openFile('new/', { create: true })` with EISDIR), on every backend.
 *
 * Every method rejects with EBADF once the handle (or its runtime) is closed.
 */
export interface DirHandle {
  /** The directory's absolute path. */
  path(): string;
  /**
   * The directory's entries (without `.` and `..`), in no particular order.
   * @throws {MfioError} from the iteration: ENOENT if the directory is gone, ENOTDIR, EBADF.
   */
  readDir(): AsyncIterable<DirEntry>;
  /**
   * Open a file; `options` default to `{ read: true }`.
   * @throws {MfioError} EINVAL for invalid options (before any I/O); ENOENT; EEXIST
   * (`createNew`); EISDIR for a directory; ENOTDIR; EACCES.
   */
  openFile(path: string, options?: OpenOptions): Promise<FileHandle>;
  /**
   * Open a file at `path` relative to this directory, with the kernel refusing any resolution
   * that leaves it: a `..` above it, an absolute path, a symlink leading out (Linux
   * `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`). `path` is not resolved lexically first.
   * @throws {MfioError} EXDEV when the path leads out of the directory; ENOSYS where the backend
   * has no such open (libuv, the in-memory fs, kernels before 5.6); otherwise as {@link openFile}.
   * @example
   * const root = await fs.currentDir().openDir('/srv/data');
   * await root.openFileBeneath('../etc/passwd'); // rejects with EXDEV
   */
  openFileBeneath(path: string, options?: OpenOptions): Promise<FileHandle>;
  /** Open a directory. @throws {MfioError} ENOENT; ENOTDIR if it is not a directory. */
  openDir(path: string): Promise<DirHandle>;
  /** Metadata of a path (following symlinks); `'.'` by default. @throws {MfioError} ENOENT, ENOTDIR. */
  metadata(path?: string): Promise<Metadata>;
  /** Create one directory. @throws {MfioError} EEXIST; ENOENT if the parent is missing; ENOTDIR. */
  createDir(path: string): Promise<void>;
  /** Create a directory and its missing parents; fine if it exists. @throws {MfioError} EEXIST if a file is there; ENOTDIR. */
  createDirAll(path: string): Promise<void>;
  /** Remove an empty directory. @throws {MfioError} ENOTEMPTY; ENOENT; ENOTDIR for a file. */
  removeDir(path: string): Promise<void>;
  /** Remove a directory and everything in it. @throws {MfioError} ENOENT; ENOTDIR for a file. */
  removeDirAll(path: string): Promise<void>;
  /** Remove a file. @throws {MfioError} ENOENT; EISDIR for a directory. */
  removeFile(path: string): Promise<void>;
  /**
   * Rename a file or directory, replacing a file (or an empty directory) at `to`.
   * @throws {MfioError} ENOENT; EINVAL when moving a directory into its own subtree; EISDIR
   * (file onto a directory); ENOTDIR (directory onto a file); ENOTEMPTY.
   */
  rename(from: string, to: string): Promise<void>;
  /** Copy a file's bytes to `to`, replacing it. @throws {MfioError} ENOENT; EISDIR. */
  copy(from: string, to: string): Promise<void>;
  /** Make `to` a second name of the file `from`. @throws {MfioError} ENOENT; EEXIST; EPERM for a directory. */
  hardLink(from: string, to: string): Promise<void>;
  /** Change permissions. @throws {MfioError} ENOENT. */
  setPermissions(path: string, permissions: PermissionsChange): Promise<void>;
  /** Close the handle (files opened through it stay open). */
  close(): Promise<void>;
  /** {@link close}, for `await using dir = await fs.currentDir().openDir(path)`. */
  [Symbol.asyncDispose](): Promise<void>;
  /** {@link close} (nothing to wait for: a directory handle is a path), for `using dir = fs.currentDir()`. */
  [Symbol.dispose](): void;
}

/**
 * A filesystem: a current directory and opening by path.
 * @example
 * const file = await fs.open('data.bin', { read: true });
 * const head = await file.readAt(0, 512);
 * await file.close();
 */
export interface Fs {
  /** A handle on the current directory (a new handle each call; closing it closes only it). */
  currentDir(): DirHandle;
  /** Open a file relative to {@link currentDir}. Same as `currentDir().openFile(path, options)`. */
  open(path: string, options?: OpenOptions): Promise<FileHandle>;
  /** What is open and in flight now, where the Fs can tell (every Fs of this package can). */
  diagnostics?(): Diagnostics;
}

/** What a runtime has open and in flight now (see `diagnostics()`): what a stuck close waits for. */
export interface Diagnostics {
  /** The backend's name (`'io_uring'`, `'libuv'`, `'netfs'` ...). */
  readonly backend: string;
  /** Whether `close()` has started. */
  readonly closing: boolean;
  /** Handles open, by kind (`DriverFile`, `DriverStream`, ...). */
  readonly open: Readonly<Record<string, number>>;
  /** One-off operations running (open, stat, connect ...). */
  readonly operations: number;
  /** Requests the backend has in flight, oldest first; empty where it does not track them. */
  readonly inFlight: readonly InFlightRequest[];
  /**
   * Requests the backend completed successfully, by operation (`write`, `fsync` ...), since it
   * started; empty where it does not count them (native backends do).
   */
  readonly completed: Readonly<Record<string, number>>;
}
