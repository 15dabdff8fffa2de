import type { IoBackend, PacketView, ReadBatch } from '@mfio/core';
import type { OpenFlags } from './open-options.js';
import type { DirEntry, Metadata } from './types.js';

/**
 * The path syntax of a driver's filesystem: `node:path`'s `posix` or `win32` fit it. The shared
 * layer resolves every path against the directory handle with it, so drivers only ever see
 * absolute, normalised paths.
 */
export interface PathSyntax {
  /** As `path.resolve`: an absolute, normalised path. */
  resolve(...paths: string[]): string;
  /** As `path.isAbsolute`. */
  isAbsolute(path: string): boolean;
  /** As `path.dirname`. */
  dirname(path: string): string;
  /** As `path.basename`. */
  basename(path: string): string;
  /** As `path.relative`. */
  relative(from: string, to: string): string;
  /** As `path.join`. */
  join(...paths: string[]): string;
  /** The separator: `/` (posix) or a backslash (win32). */
  readonly sep: string;
}

/**
 * An open file as a driver sees it. The shared layer ({@link DriverFs}) guarantees that
 * `sendIo` is never called after `close`, that `close` is called once, and that `sendIo` is only
 * called in a direction the file was opened for.
 */
export interface RawFile {
  /**
   * Submit I/O at `position` on `view` and return at once. Complete the view (or its splits)
   * later with the bytes transferred (short only at end of file for reads) or fail it with an
   * MfioError; never throw. No promise per request: this is the hot path.
   */
  sendIo(position: number, view: PacketView): void;
  /**
   * Optional: take a whole readMany batch at once (see `BatchReadIo` in @mfio/core), with the
   * same rules as `sendIo` for each request. Backends without it get one view per request.
   */
  readBatch?(batch: ReadBatch): void;
  /**
   * Optional: the file's descriptor, for a synchronous splice(2) of its cached pages to a socket
   * (fs/socket-file-splice.ts): Linux native backends only, never for direct I/O. Valid until
   * `close` is called.
   */
  readonly spliceFd?: number;
  /** fstat: the open file's metadata. */
  metadata(): Promise<Metadata>;
  /** ftruncate: cut or extend (with zeros) the file to `length` bytes. */
  setLen(length: number): Promise<void>;
  /**
   * Optional: `setLen` on the calling thread, for direct I/O's cut back after a padded block
   * write (it must finish inside a sync wrapper's blocking loop, where no promise settles).
   */
  setLenSync?(length: number): void;
  /** fsync: the data and the metadata reach stable storage. */
  sync(): Promise<void>;
  /**
   * Optional: write `view` at `position` and complete it only once an fdatasync after the write
   * has completed too, in one round trip (io_uring links the two). Without it, the shared layer
   * writes and then calls `datasync`.
   */
  writeDurable?(position: number, view: PacketView): void;
  /** fdatasync: the data and what reading it back needs (the length), not every timestamp. Without it, `sync` serves. */
  datasync?(): Promise<void>;
  /**
   * Optional, for a file opened with `direct: true`: the alignment direct I/O needs as the
   * kernel reports it (statx STATX_DIOALIGN), `'unsupported'` if it reports that the file takes
   * none, null if it does not say (the caller probes).
   */
  directAlignment?(): Promise<
    | {
        /** Buffer addresses must be multiples of this many bytes. */
        memory: number;
        /** File positions and lengths must be multiples of this many bytes. */
        offset: number;
      }
    | 'unsupported'
    | null
  >;
  /** Resolve once every view handed to `sendIo` has completed and the handle is released. */
  close(): Promise<void>;
}

/**
 * What a backend implements for files and directories; {@link DriverFs} turns it into the
 * public {@link Fs} API (path resolution, option validation, closed handles, runtime close).
 * Every path is absolute. Errors are MfioErrors with a Node-style `code`, the `syscall` and the
 * `path` (and `dest` for two-path operations).
 *
 * Native backends implement `open` and the {@link RawFile} I/O with batched native calls and may
 * reuse the libuv driver's directory operations.
 */
export interface FsDriver {
  /** What completes this driver's file I/O (its name is the backend's name). */
  readonly backend: IoBackend;
  /** True if `open` honours `flags.direct === true` (opens with O_DIRECT or its equivalent). */
  readonly directIo?: boolean;
  /** How this filesystem's paths are spelled (`node:path`'s posix or win32). */
  readonly paths: PathSyntax;
  /** The absolute path `currentDir()` starts at. */
  readonly cwd: string;
  /**
   * Open a file. Opening a directory fails with EISDIR on every driver (even for reading,
   * which POSIX allows), so all backends agree.
   */
  open(path: string, flags: OpenFlags): Promise<RawFile>;
  /**
   * Optional: open `path` relative to directory `dir` with the kernel refusing any resolution
   * that leaves `dir` (EXDEV). Without it, DirHandle.openFileBeneath fails with ENOSYS.
   */
  openBeneath?(dir: string, path: string, flags: OpenFlags): Promise<RawFile>;
  /** Metadata of a path, following symlinks. */
  metadata(path: string): Promise<Metadata>;
  /** Entries of a directory, without `.` and `..`; errors come from the iteration. */
  readDir(path: string): AsyncIterable<DirEntry>;
  /** mkdir; with `recursive`, the missing parents too and no EEXIST for an existing directory. */
  createDir(path: string, recursive: boolean): Promise<void>;
  /** rmdir: remove an empty directory (ENOTEMPTY otherwise). */
  removeDir(path: string): Promise<void>;
  /** Remove a directory and everything in it, never following symlinks. */
  removeDirAll(path: string): Promise<void>;
  /** unlink: remove a file or a symlink (EISDIR or EPERM for a directory). */
  removeFile(path: string): Promise<void>;
  /** rename: move `from` to `to`, replacing a file there. */
  rename(from: string, to: string): Promise<void>;
  /** Copy the file `from` to `to`, replacing a file there. */
  copy(from: string, to: string): Promise<void>;
  /** link: a new name `to` for the file `from` (EEXIST if `to` exists). */
  hardLink(from: string, to: string): Promise<void>;
  /** chmod: set the permission bits (a read-only attribute where the OS has only that). */
  setPermissions(path: string, mode: number): Promise<void>;
}
