import * as nodePath from 'node:path';
import { invalidArgType, MfioError, writeBytes } from '@mfio/core';
import type { OpenOptions } from '../fs/open-options.js';
import type { DirHandle, FileHandle as MfioFileHandle, Fs } from '../fs/types.js';
import { optionsObject, optionsOrEncoding, refuseOption, toBoolean, toEncoding, toInteger } from './arguments.js';
import { FileHandle } from './file-handle.js';
import { toMode, toOpenOptions } from './flags.js';
import { asNodeError, inNodeTerms, rmIsDirectory } from './node-errors.js';
import { toPath } from './paths.js';
import { Dirent, Stats } from './stats.js';

/** A path argument, as Node takes it. */
export type PathLike = string | Buffer | URL;

/** Data `writeFile` takes: bytes, a string, or an (async) iterable of either (as Node 20). */
export type WriteFileData = string | ArrayBufferView | Iterable<string | ArrayBufferView> | AsyncIterable<string | ArrayBufferView>;

/**
 * The `node:fs/promises` functions random-access code uses, over one mfio {@link Fs}: same
 * arguments, errors (`code`, `syscall`, and `path` as given) and results as Node's, with the
 * differences listed in the @mfio/rt README. Relative paths resolve against the Fs's current
 * directory (the process's for a runtime, the served root for netfs). The members are functions,
 * not methods: `const { readFile } = promisesOf(fs)` works.
 */
export interface FsPromises {
  /**
   * Open a file: `flags` as Node's (`'r'` by default, or `O_*` numbers), `mode` for a file this call creates
   * (after the umask).
   */
  readonly open: (path: PathLike, flags?: string | number, mode?: number | string) => Promise<FileHandle>;
  /** The whole file (or the rest of an open handle) as a Buffer, or a string with an encoding. */
  readonly readFile: (path: PathLike | FileHandle, options?: ReadFileOptions | BufferEncoding | null) => Promise<Buffer | string>;
  /** Replace the file's contents (`flag` `'w'` by default) with `data`, or write it to an open handle. */
  readonly writeFile: (path: PathLike | FileHandle, data: WriteFileData, options?: WriteFileOptions | BufferEncoding | null) => Promise<void>;
  /**
   * The path's metadata, following links, as {@link Stats}. `bigint: true` fails with ERR_INVALID_ARG_VALUE
   * (no BigIntStats).
   */
  readonly stat: (path: PathLike, options?: { bigint?: boolean }) => Promise<Stats>;
  /** The directory's entry names, or {@link Dirent}s with `withFileTypes`. */
  readonly readdir: (path: PathLike, options?: ReaddirOptions | BufferEncoding | null) => Promise<string[] | Dirent[]>;
  /**
   * Create a directory; with `recursive`, its missing parents too, resolving to the topmost one created (else
   * undefined).
   */
  readonly mkdir: (path: PathLike, options?: MkdirOptions | number | string) => Promise<string | undefined>;
  /**
   * Remove a file or link; a directory only with `recursive` (else ERR_FS_EISDIR). `force` ignores a missing
   * path.
   */
  readonly rm: (path: PathLike, options?: RmOptions) => Promise<void>;
  /** Move `oldPath` to `newPath`, replacing a file there. */
  readonly rename: (oldPath: PathLike, newPath: PathLike) => Promise<void>;
  /** Remove a file or link (never a directory). */
  readonly unlink: (path: PathLike) => Promise<void>;
}

/** Options of `readFile`. */
export interface ReadFileOptions {
  /**
   * Decode the bytes (or encode a string) with this encoding; null or absent: bytes as a Buffer (utf8 for a
   * string written).
   */
  encoding?: BufferEncoding | null;
  /** Open flags, as `open`'s `flags`. */
  flag?: string | number;
  /** Aborting rejects with ABORT_ERR. */
  signal?: AbortSignal;
}

/** Options of `writeFile`. */
export interface WriteFileOptions {
  /**
   * Decode the bytes (or encode a string) with this encoding; null or absent: bytes as a Buffer (utf8 for a
   * string written).
   */
  encoding?: BufferEncoding | null;
  /** Permission bits for a file or directory this call creates, before the umask. */
  mode?: number | string;
  /** Open flags, as `open`'s `flags`. */
  flag?: string | number;
  /** Aborting rejects with ABORT_ERR. */
  signal?: AbortSignal;
}

/** Options of `readdir`. */
export interface ReaddirOptions {
  /** Return {@link Dirent}s instead of names. */
  withFileTypes?: boolean;
  /**
   * Decode the bytes (or encode a string) with this encoding; null or absent: bytes as a Buffer (utf8 for a
   * string written).
   */
  encoding?: BufferEncoding | null;
  /** Not supported: ERR_INVALID_ARG_VALUE (list each directory in turn). */
  recursive?: boolean;
}

/** Options of `mkdir`. */
export interface MkdirOptions {
  /** Create the missing parents too; then no error if it exists. */
  recursive?: boolean;
  /** Permission bits for a file or directory this call creates, before the umask. */
  mode?: number | string;
}

/** Options of `rm`. */
export interface RmOptions {
  /** Remove a directory and everything in it. */
  recursive?: boolean;
  /** Succeed when the path does not exist. */
  force?: boolean;
  /** Only 0 is accepted: @mfio/rt/promises does not retry. */
  maxRetries?: number;
  /** Checked as Node checks it, then unused (no retries). */
  retryDelay?: number;
}

/**
 * Node's default umask for modes given to `open`/`mkdir`: the process's where Node can read it
 * (not in a worker), else the usual 0o022.
 */
function umask(): number {
  try {
    return process.umask();
  } catch {
    return 0o022;
  }
}

/**
 * `node:fs/promises` over any mfio `Fs`: a runtime, a netfs client, an S3 bucket.
 * @example
 * const fsp = promisesOf(await NetFs.connect({ host: '127.0.0.1', port }));
 * const text = await fsp.readFile('notes.txt', 'utf8');
 */
export function promisesOf(fs: Fs): FsPromises {
  if (typeof fs !== 'object' || fs === null || typeof fs.currentDir !== 'function') throw invalidArgType('fs', 'an mfio Fs', fs);
  const dir = (): DirHandle => fs.currentDir();

  /** Open, applying `mode` to a file this call creates (the kernel would, with umask). */
  async function openFile(path: string, options: OpenOptions, mode: number): Promise<MfioFileHandle> {
    const creates = options.create === true || options.createNew === true;
    if (!creates || mode === 0o666) return dir().openFile(path, options);
    let file: MfioFileHandle;
    let created = options.createNew === true;
    if (created) {
      file = await dir().openFile(path, options);
    } else {
      // Whether this call creates the file decides whether the mode applies: try exclusively first.
      try {
        file = await dir().openFile(path, { ...options, create: false, truncate: false, createNew: true });
        created = true;
      } catch (error) {
        if (!(error instanceof MfioError) || error.code !== 'EEXIST') throw error;
        file = await dir().openFile(path, options);
      }
    }
    if (created) {
      try {
        await dir().setPermissions(path, { mode: mode & ~umask() & 0o7777 });
      } catch (error) {
        // The caller never gets the handle: close it, or it stays open for good.
        await file.close().catch(() => undefined);
        throw error;
      }
    }
    return file;
  }

  async function open(path: PathLike, flags?: string | number, mode?: number | string): Promise<FileHandle> {
    const p = toPath(path);
    const options = toOpenOptions(flags, 'r');
    const m = toMode(mode);
    const file = await inNodeTerms({ syscall: 'open', path: p }, () => openFile(p, options, m));
    return new FileHandle(file, options.append === true);
  }

  async function readFile(path: PathLike | FileHandle, options?: unknown): Promise<Buffer | string> {
    const opts = optionsOrEncoding<{ encoding?: unknown; flag?: unknown; signal?: AbortSignal }>(options);
    const encoding = toEncoding(opts.encoding);
    if (path instanceof FileHandle) return path.readFile({ encoding: encoding ?? null, ...(opts.signal === undefined ? {} : { signal: opts.signal }) });
    const p = toPath(path);
    const flags = toOpenOptions(opts.flag, 'r');
    if (opts.signal?.aborted) throw new MfioError('ABORT_ERR', 'The operation was aborted', { cause: opts.signal.reason });
    let file: MfioFileHandle;
    try {
      file = await dir().openFile(p, flags);
    } catch (error) {
      // Node opens a directory and fails at the read, naming no path.
      if (error instanceof MfioError && error.code === 'EISDIR' && !flags.write && !flags.append) throw asNodeError(error, { syscall: 'read' });
      throw asNodeError(error, { syscall: 'open', path: p });
    }
    try {
      const data = await inNodeTerms({ syscall: 'read' }, () => file.readToEnd(0, opts.signal === undefined ? {} : { signal: opts.signal }));
      return encoding === undefined ? data : data.toString(encoding);
    } finally {
      await file.close();
    }
  }

  async function writeFile(path: PathLike | FileHandle, data: WriteFileData, options?: unknown): Promise<void> {
    const opts = optionsOrEncoding<{ encoding?: unknown; mode?: unknown; flag?: unknown; signal?: AbortSignal; flush?: unknown }>(options);
    const encoding = toEncoding(opts.encoding) ?? 'utf8';
    if (opts.flush === true) refuseOption('flush', opts.flush, 'call sync() on a handle instead');
    // Checked before the open, which would truncate the file.
    if (typeof data !== 'string' && !ArrayBuffer.isView(data) && !isIterable(data)) {
      throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
    }
    const chunks = toChunks(data, encoding);
    if (path instanceof FileHandle) {
      for await (const bytes of chunks) await writeAll(path, bytes);
      return;
    }
    const p = toPath(path);
    const flags = toOpenOptions(opts.flag, 'w');
    const mode = toMode(opts.mode);
    if (opts.signal?.aborted) throw new MfioError('ABORT_ERR', 'The operation was aborted', { cause: opts.signal.reason });
    const file = await inNodeTerms({ syscall: 'open', path: p }, () => openFile(p, flags, mode));
    const handle = new FileHandle(file, flags.append === true);
    try {
      for await (const bytes of chunks) await writeAll(handle, bytes, opts.signal);
    } finally {
      await handle.close();
    }
  }

  async function stat(path: PathLike, options?: { bigint?: boolean }): Promise<Stats> {
    const p = toPath(path);
    const { bigint } = optionsObject<{ bigint?: unknown }>(options);
    if (bigint === true) refuseOption('bigint', bigint, 'no BigIntStats');
    return new Stats(await inNodeTerms({ syscall: 'stat', path: p }, () => dir().metadata(p)));
  }

  async function readdir(path: PathLike, options?: unknown): Promise<string[] | Dirent[]> {
    const p = toPath(path);
    const opts = optionsOrEncoding<{ encoding?: unknown; withFileTypes?: unknown; recursive?: unknown }>(options);
    if (opts.encoding === 'buffer') refuseOption('encoding', opts.encoding, 'names are strings');
    toEncoding(opts.encoding);
    const withFileTypes = toBoolean(opts.withFileTypes, 'options.withFileTypes');
    if (toBoolean(opts.recursive, 'options.recursive')) refuseOption('recursive', true, 'list each directory in turn');
    return inNodeTerms({ syscall: 'scandir', path: p }, async () => {
      const handle = await dir().openDir(p);
      const entries = [];
      try {
        for await (const entry of handle.readDir()) entries.push(entry);
      } finally {
        await handle.close();
      }
      return withFileTypes ? entries.map((entry) => new Dirent(entry, p)) : entries.map((entry) => entry.name);
    });
  }

  async function mkdir(path: PathLike, options?: unknown): Promise<string | undefined> {
    const p = toPath(path);
    const opts =
      typeof options === 'number' || typeof options === 'string' ? { mode: options } : optionsObject<{ recursive?: unknown; mode?: unknown }>(options);
    const recursive = toBoolean(opts.recursive, 'options.recursive');
    const mode = toMode(opts.mode, 0o777);
    return inNodeTerms({ syscall: 'mkdir', path: p }, async () => {
      if (!recursive) {
        await dir().createDir(p);
        if (mode !== 0o777) await dir().setPermissions(p, { mode: mode & ~umask() & 0o7777 });
        return undefined;
      }
      const first = await firstMissing(p);
      await dir().createDirAll(p);
      // Node gives every directory it creates the mode; here each one below `first` gets it after.
      if (first !== undefined && mode !== 0o777) {
        for (let created = p; ; created = nodePath.dirname(created)) {
          await dir().setPermissions(created, { mode: mode & ~umask() & 0o7777 });
          if (created === first || nodePath.dirname(created) === created) break;
        }
      }
      return first;
    });
  }

  /** The topmost directory `mkdir -p` of `path` creates (Node's return value), or undefined. */
  async function firstMissing(path: string): Promise<string | undefined> {
    let missing: string | undefined;
    for (let current = path; ;) {
      try {
        await dir().metadata(current);
        return missing;
      } catch (error) {
        if (!(error instanceof MfioError) || error.code !== 'ENOENT') return missing;
      }
      missing = current;
      const parent = nodePath.dirname(current);
      if (parent === current) return missing;
      current = parent;
    }
  }

  async function rm(path: PathLike, options?: unknown): Promise<void> {
    const p = toPath(path);
    const opts = optionsObject<{ recursive?: unknown; force?: unknown; maxRetries?: unknown; retryDelay?: unknown }>(options);
    const recursive = toBoolean(opts.recursive, 'options.recursive');
    const force = toBoolean(opts.force, 'options.force');
    if (opts.maxRetries !== undefined && toInteger(opts.maxRetries, 'options.maxRetries', 0) !== 0) refuseOption('maxRetries', opts.maxRetries, 'no retries');
    if (opts.retryDelay !== undefined) toInteger(opts.retryDelay, 'options.retryDelay', 0);
    try {
      // A file or a link (unlinked itself, never followed) goes at once; a directory says EISDIR.
      await dir().removeFile(p);
    } catch (error) {
      if (!(error instanceof MfioError)) throw error;
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
        // force hides only a missing path, as Node's: `file/child` is still ENOTDIR.
        if (force && error.code === 'ENOENT') return;
        throw asNodeError(error, { syscall: 'lstat', path: p });
      }
      if (error.code !== 'EISDIR' && error.code !== 'EPERM') throw asNodeError(error, { syscall: 'rm', path: p });
      if (!recursive) throw rmIsDirectory(p);
      await inNodeTerms({ syscall: 'rm', path: p }, () => dir().removeDirAll(p));
    }
  }

  async function rename(oldPath: PathLike, newPath: PathLike): Promise<void> {
    const from = toPath(oldPath, 'oldPath');
    const to = toPath(newPath, 'newPath');
    await inNodeTerms({ syscall: 'rename', path: from, dest: to }, () => dir().rename(from, to));
  }

  async function unlink(path: PathLike): Promise<void> {
    const p = toPath(path);
    await inNodeTerms({ syscall: 'unlink', path: p }, () => dir().removeFile(p));
  }

  return Object.freeze({ open, readFile, writeFile, stat, readdir, mkdir, rm, rename, unlink });
}

/** Write all of `bytes` at the handle's position (short writes continue). */
async function writeAll(handle: FileHandle, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    if (signal?.aborted) throw new MfioError('ABORT_ERR', 'The operation was aborted', { cause: signal.reason });
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, null);
    if (bytesWritten === 0) throw new MfioError('ERR_WRITE_ZERO', 'The file accepted no bytes');
    done += bytesWritten;
  }
}

function isIterable(data: unknown): data is Iterable<unknown> | AsyncIterable<unknown> {
  return data !== null && typeof data === 'object' && (Symbol.asyncIterator in data || Symbol.iterator in data);
}

/** `writeFile`'s data as byte chunks: one for bytes or a string, each item of an iterable. */
async function* toChunks(data: WriteFileData, encoding: BufferEncoding): AsyncGenerator<Uint8Array> {
  if (typeof data === 'string') {
    yield Buffer.from(data, encoding);
  } else if (ArrayBuffer.isView(data)) {
    yield writeBytes(data);
  } else if (isIterable(data)) {
    for await (const chunk of data as AsyncIterable<unknown>) {
      if (typeof chunk === 'string') yield Buffer.from(chunk, encoding);
      else if (ArrayBuffer.isView(chunk)) yield writeBytes(chunk);
      else throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', chunk);
    }
  } else {
    throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
  }
}
