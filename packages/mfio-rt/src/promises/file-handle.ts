import type { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { asyncDispose, invalidArgType, MfioError, outOfRange } from '@mfio/core';
import type { FileHandle as MfioFileHandle } from '../fs/types.js';
import { optionsObject, optionsOrEncoding, positionOrCurrent, refuseOption, toEncoding, toInteger } from './arguments.js';
import { asNodeError, inNodeTerms } from './node-errors.js';
import { Stats } from './stats.js';

/** What `FileHandle.read` resolves with, as Node's. */
export interface FileReadResult<T extends ArrayBufferView> {
  /** How many bytes were read: fewer than asked only at the end of the file. */
  bytesRead: number;
  /** The buffer read into: the one passed in, or the one allocated for the call. */
  buffer: T;
}

/** What `FileHandle.write` resolves with, as Node's. */
export interface FileWriteResult<T> {
  /** How many bytes were written. */
  bytesWritten: number;
  /** The data passed in (a buffer or a string), as Node returns it. */
  buffer: T;
}

/** The object form of `FileHandle.read`. */
export interface FileReadOptions<T extends ArrayBufferView = Buffer> {
  /** Where to read into (default: a new 16 KiB Buffer, as Node). */
  buffer?: T;
  /** Where in `buffer` to start (default 0). */
  offset?: number | null;
  /** How many bytes at most (default: the rest of `buffer` after `offset`). */
  length?: number | null;
  /** The file position; null or absent: the handle's current position, which advances. */
  position?: number | bigint | null;
}

/** Options of `FileHandle.createReadStream`. */
export interface CreateReadStreamOptions {
  /** First byte (default: the handle's current position). */
  start?: number;
  /** Last byte, inclusive, as Node's (default: the end of the file). */
  end?: number;
  /** Bytes per read and the stream's buffer (default 64 KiB). */
  highWaterMark?: number;
  /** Decode to strings. */
  encoding?: BufferEncoding | null;
  /** Close the handle when the stream ends or is destroyed (default true, as Node's). */
  autoClose?: boolean;
  /** Emit 'close' after destroy (default true). */
  emitClose?: boolean;
  /** Aborting destroys the stream with an ABORT_ERR. */
  signal?: AbortSignal;
}

const DEFAULT_READ_BUFFER = 16384;
const READ_PLACE = { syscall: 'read' } as const;
const DEFAULT_STREAM_CHUNK = 64 * 1024;
/** The position is wherever the last write ended: the file's end, in append mode. */
const AT_END = -1;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * A `node:fs/promises` FileHandle over an mfio file: the same methods, arguments, errors and
 * results for what random-access code uses. It has no `fd` (a netfs or S3 file has no
 * descriptor); {@link file} is the mfio handle underneath, for `readMany` and the rest of the
 * mfio API. Calls without a position use a position this handle keeps, as the descriptor's
 * offset would be.
 * @example
 * await using handle = await open('data.bin', 'r');
 * const { bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 8192);
 */
export class FileHandle {
  readonly #file: MfioFileHandle;
  readonly #append: boolean;
  /** The emulated descriptor offset, or AT_END after an append (where the kernel puts it). */
  #position = 0;
  /** The last call that uses the offset: the next one waits for it (see #inTurn). */
  #offsetUsers: Promise<unknown> = Promise.resolve();

  /** Not for users: made by `open`. */
  constructor(file: MfioFileHandle, append: boolean) {
    this.#file = file;
    this.#append = append;
  }

  /** The mfio file underneath (readAt, readMany, streams, ...). */
  get file(): MfioFileHandle {
    return this.#file;
  }

  /**
   * Read into `buffer` (Node's four forms: `(buffer, offset, length, position)`,
   * `(buffer, { offset, length, position })`, `({ buffer, offset, length, position })`, `()`).
   * A position that is not a non-negative integer reads at, and advances, the handle's position.
   * @throws {MfioError} ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_INVALID_ARG_VALUE as Node;
   * EBADF (syscall `read`) after close or on a handle not open for reading; EISDIR.
   */
  read<T extends ArrayBufferView>(buffer: T, offset?: number | null, length?: number | null, position?: number | bigint | null): Promise<FileReadResult<T>>;
  read<T extends ArrayBufferView>(buffer: T, options?: Omit<FileReadOptions<T>, 'buffer'>): Promise<FileReadResult<T>>;
  read<T extends ArrayBufferView = Buffer>(options?: FileReadOptions<T>): Promise<FileReadResult<T>>;
  read<T extends ArrayBufferView>(
    buffer?: T | FileReadOptions<T>,
    offset?: number | null | Omit<FileReadOptions<T>, 'buffer'>,
    length?: number | null,
    position?: number | bigint | null,
  ): Promise<FileReadResult<T>> {
    let target: T;
    let start: number;
    let count: number;
    let at: unknown = position;
    try {
      let off: unknown = offset;
      let len: unknown = length;
      if (!ArrayBuffer.isView(buffer)) {
        if (buffer !== undefined && (typeof buffer !== 'object' || buffer === null)) throw invalidArgType('options', 'of type object', buffer);
        const params: FileReadOptions<T> = buffer ?? {};
        target = params.buffer ?? (Buffer.alloc(DEFAULT_READ_BUFFER) as unknown as T);
        if (!ArrayBuffer.isView(target)) throw invalidArgType('buffer', 'an instance of Buffer, TypedArray, or DataView', target);
        off = params.offset ?? 0;
        len = params.length ?? target.byteLength - (off as number);
        at = params.position ?? null;
      } else {
        target = buffer;
        if (off !== null && typeof off === 'object') {
          const params = off as FileReadOptions<T>;
          off = params.offset ?? 0;
          len = params.length ?? target.byteLength - (off as number);
          at = params.position ?? null;
        }
      }
      start = off === undefined || off === null ? 0 : toInteger(off, 'offset', 0);
      count = len === undefined || len === null ? target.byteLength - start : toInteger(len, 'length');
      if (count === 0) return Promise.resolve({ bytesRead: 0, buffer: target });
      if (target.byteLength === 0)
        throw new MfioError('ERR_INVALID_ARG_VALUE', `The argument 'buffer' is empty and cannot be written. Received ${inspect(target)}`);
      if (count < 0) throw outOfRange('length', '>= 0', count);
      if (start + count > target.byteLength) throw outOfRange('length', `<= ${target.byteLength - start}`, count);
    } catch (error) {
      return Promise.reject(error);
    }
    const bytes = bytesOf(target);
    const into = start === 0 && count === bytes.length ? bytes : bytes.subarray(start, start + count);
    const explicit = positionOrCurrent(at);
    if (explicit !== null) {
      return this.#file.readAt(explicit, into).then(
        (bytesRead) => ({ bytesRead, buffer: target }),
        (error: unknown) => Promise.reject(asNodeError(error, READ_PLACE)),
      );
    }
    return inNodeTerms({ syscall: 'read' }, () =>
      this.#inTurn(async () => {
        const from = await this.#currentPosition();
        const bytesRead = await this.#file.readAt(from, into);
        this.#position = from + bytesRead;
        return { bytesRead, buffer: target };
      }),
    );
  }

  /**
   * Write bytes (`(buffer, offset, length, position)` or `(buffer, { offset, length, position })`)
   * or a string (`(string, position, encoding)`), as Node's. May write fewer bytes than given
   * (as write(2)); in append mode every write lands at the end.
   * @throws {MfioError} ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE as Node; EBADF (syscall `write`).
   */
  write<T extends ArrayBufferView | string>(
    data: T,
    offsetOrPosition?: number | null | { offset?: number; length?: number; position?: number | null },
    lengthOrEncoding?: number | BufferEncoding | null,
    position?: number | null,
  ): Promise<FileWriteResult<T>> {
    let bytes: Uint8Array;
    let at: unknown;
    try {
      if (ArrayBuffer.isView(data)) {
        if (data.byteLength === 0) return Promise.resolve({ bytesWritten: 0, buffer: data });
        let off: unknown = offsetOrPosition;
        let len: unknown = lengthOrEncoding;
        at = position;
        if (off !== null && typeof off === 'object') {
          const params = off as { offset?: number; length?: number; position?: number | null };
          off = params.offset ?? 0;
          len = params.length ?? data.byteLength - (off as number);
          at = params.position ?? null;
        }
        const start = off === undefined || off === null ? 0 : toInteger(off, 'offset', 0);
        if (start > data.byteLength) throw outOfRange('offset', `<= ${data.byteLength}`, start);
        const count = typeof len === 'number' ? len : data.byteLength - start;
        if (count > data.byteLength - start) throw outOfRange('length', `<= ${data.byteLength - start}`, count);
        toInteger(count, 'length', 0, 2 ** 31 - 1);
        bytes = bytesOf(data).subarray(start, start + count);
      } else if (typeof data === 'string') {
        const encoding = toEncoding(lengthOrEncoding ?? 'utf8') ?? 'utf8';
        bytes = Buffer.from(data, encoding);
        at = offsetOrPosition;
      } else {
        throw invalidArgType('buffer', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const explicit = typeof at === 'number' && Number.isSafeInteger(at) && at >= 0 ? at : null;
    const write = async (): Promise<FileWriteResult<T>> => {
      const from = explicit ?? (this.#append ? 0 : await this.#currentPosition());
      const bytesWritten = await this.#file.writeAt(from, bytes);
      if (explicit === null) this.#position = this.#append ? AT_END : from + bytesWritten;
      return { bytesWritten, buffer: data };
    };
    return inNodeTerms({ syscall: 'write' }, () => (explicit === null ? this.#inTurn(write) : write()));
  }

  /**
   * The file's {@link Stats}. `{ bigint: true }` is refused (the facade has no BigIntStats).
   * @throws {MfioError} EBADF (syscall `fstat`) after close.
   */
  stat(options?: { bigint?: boolean }): Promise<Stats> {
    try {
      const { bigint } = optionsObject<{ bigint?: unknown }>(options);
      if (bigint === true) refuseOption('bigint', bigint, 'no BigIntStats');
    } catch (error) {
      return Promise.reject(error);
    }
    return inNodeTerms({ syscall: 'fstat' }, async () => new Stats(await this.#file.metadata()));
  }

  /**
   * Truncate or extend to `len` bytes (default 0; a negative length is 0, as Node's).
   * @throws {MfioError} EINVAL (syscall `ftruncate`) on a handle not open for writing; EBADF.
   */
  truncate(len: number = 0): Promise<void> {
    let length: number;
    try {
      length = Math.max(0, toInteger(len, 'len'));
    } catch (error) {
      return Promise.reject(error);
    }
    return inNodeTerms({ syscall: 'ftruncate' }, () => this.#file.setLen(length));
  }

  /** fsync. @throws {MfioError} EBADF after close. */
  sync(): Promise<void> {
    return inNodeTerms({ syscall: 'fsync' }, () => this.#file.sync());
  }

  /** fdatasync. @throws {MfioError} EBADF after close. */
  datasync(): Promise<void> {
    return inNodeTerms({ syscall: 'fdatasync' }, () => this.#file.datasync());
  }

  /**
   * The rest of the file from the handle's position (as Node's), as a Buffer or, with an
   * encoding, a string. Options: `encoding`, `signal` (or the encoding as a string).
   * @throws {MfioError} EBADF (syscall `read`); ABORT_ERR.
   */
  readFile(options?: { encoding?: BufferEncoding | null; signal?: AbortSignal } | BufferEncoding | null): Promise<Buffer | string> {
    let encoding: BufferEncoding | undefined;
    let signal: AbortSignal | undefined;
    try {
      const opts = optionsOrEncoding<{ encoding?: unknown; signal?: AbortSignal }>(options);
      encoding = toEncoding(opts.encoding);
      signal = opts.signal;
    } catch (error) {
      return Promise.reject(error);
    }
    return inNodeTerms({ syscall: 'read' }, () =>
      this.#inTurn(async () => {
        const from = await this.#currentPosition();
        const data = await this.#file.readToEnd(from, signal === undefined ? {} : { signal });
        this.#position = from + data.length;
        return encoding === undefined ? data : data.toString(encoding);
      }),
    );
  }

  /**
   * A Node `Readable` of the file from `start` to `end` inclusive (Node's meaning), closing this
   * handle when it ends unless `autoClose` is false.
   * @throws {MfioError} ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE for `start`, `end` (`start` after
   * `end`), as Node; ERR_INVALID_ARG_VALUE for an option the facade does not carry.
   */
  createReadStream(options?: CreateReadStreamOptions): Readable {
    const opts = optionsObject<CreateReadStreamOptions & { fs?: unknown; flags?: unknown; mode?: unknown; fd?: unknown }>(options);
    for (const key of ['fs', 'fd'] as const) if (opts[key] !== undefined) refuseOption(key, opts[key], 'the stream reads through this handle');
    const start = opts.start === undefined ? undefined : toInteger(opts.start, 'start', 0);
    const end = opts.end === undefined || opts.end === Infinity ? undefined : toInteger(opts.end, 'end', 0);
    if (start !== undefined && end !== undefined && start > end) throw outOfRange('start', `<= "end" (here: ${end})`, start);
    const encoding = toEncoding(opts.encoding);
    const chunkSize = opts.highWaterMark === undefined ? DEFAULT_STREAM_CHUNK : toInteger(opts.highWaterMark, 'highWaterMark', 1);
    const from = start ?? (this.#position === AT_END ? 0 : this.#position);
    const stream = this.#file.createReadStream({
      start: from,
      ...(end === undefined ? {} : { end: Math.max(end, from - 1) }),
      chunkSize,
      highWaterMark: chunkSize,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    if (encoding !== undefined) stream.setEncoding(encoding);
    if (opts.autoClose !== false) stream.once('close', () => void this.close().catch(() => undefined));
    return stream;
  }

  /**
   * Close the handle after the requests in flight on it; calling it again is fine (as Node's).
   */
  close(): Promise<void> {
    return inNodeTerms({ syscall: 'close' }, () => this.#file.close());
  }

  /** {@link close}, for `await using handle = await open(path)`. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Run `step` after every earlier call that uses the offset: the kernel moves a descriptor's
   * offset call by call, so calls made together each start where the one before ended (two
   * reads of 4 bytes get bytes 0-3 and 4-7), never both at the same place.
   */
  #inTurn<R>(step: () => Promise<R>): Promise<R> {
    const run = this.#offsetUsers.then(step, step);
    this.#offsetUsers = run.catch(() => undefined);
    return run;
  }

  /** Where a read or write without a position starts: the emulated offset, or the file's end after an append. */
  async #currentPosition(): Promise<number> {
    if (this.#position === AT_END) this.#position = (await this.#file.metadata()).len;
    return this.#position;
  }
}
