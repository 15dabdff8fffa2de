import {
  asyncDispose,
  PositionalIo,
  readToEnd,
  toLength,
  writeAllAt,
  toPosition,
  type IoBackend,
  type IoOptions,
  type PacketIo,
  type PacketView,
  type Position,
  type ReadAllocator,
  type ReadBatch,
  type ReadToEndOptions,
  type WriteSource,
} from '@mfio/core';
import { systemError } from '../errors.js';
import { closedError, type Resources } from '../lifecycle/resources.js';
import { GroupCommit } from './group-commit.js';
import { pageAlignedAllocator } from '../memory/page-aligned-allocator.js';
import type { RawFile } from './driver.js';
import { DirectFile } from './direct/direct-file.js';
import type { DirectIoStats } from './direct/direct-types.js';
import type { OpenFlags } from './open-options.js';
import type { FileHandle, Metadata } from './types.js';

/**
 * The one file handle class of every driver-based backend: checks the handle's state and the
 * direction it was opened for, then hands the view to the driver's {@link RawFile}. Nothing is
 * allocated per request.
 * @hideconstructor
 */
export class DriverFile extends PositionalIo implements FileHandle {
  readonly backend: IoBackend;
  readonly path: string;
  /** Page-aligned read destinations for `readAt(pos, length)`, `readMany` without `into`, streams. */
  override readonly readAllocator: ReadAllocator = pageAlignedAllocator();
  readonly #raw: RawFile;
  readonly #resources: Resources;
  readonly #readable: boolean;
  readonly #writable: boolean;
  #closing: Promise<void> | null = null;
  /** `sync` and `datasync` calls, each kind committed in groups (see GroupCommit). */
  readonly #syncs: GroupCommit;
  readonly #datasyncs: GroupCommit;
  /**
   * Present when the driver takes readMany batches whole (native backends), so readMany skips
   * the view per request; absent otherwise, so readMany falls back to views.
   */
  readonly readBatch?: (batch: ReadBatch) => void;

  /** Not for users: made by {@link DriverFs}. Declared (not stripped as internal) so `new DriverFile()` stays a type error. */
  constructor(raw: RawFile, backend: IoBackend, path: string, flags: OpenFlags, resources: Resources) {
    super();
    this.#raw = raw;
    this.backend = backend;
    this.path = path;
    this.#readable = flags.read;
    this.#writable = flags.write || flags.append;
    this.#resources = resources;
    this.#syncs = new GroupCommit(() => raw.sync());
    // fsync covers what fdatasync promises: a driver without the lighter call uses it.
    this.#datasyncs = new GroupCommit(() => (raw.datasync !== undefined ? raw.datasync() : raw.sync()));
    if (raw.readBatch !== undefined) this.readBatch = (batch) => this.#readBatch(batch);
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  get directIo(): DirectIoStats | null {
    return this.#raw instanceof DirectFile ? this.#raw.stats() : null;
  }

  /**
   * @internal The descriptor a synchronous splice may read now (fs/socket-file-splice.ts), or
   * null: closed or closing (the driver's close may be running on another thread, and the number
   * could name another file any moment), not open for reading, or no descriptor to splice from.
   */
  spliceFd(): number | null {
    if (this.#closing !== null || !this.#readable) return null;
    return this.#raw.spliceFd ?? null;
  }

  sendIo(position: number, view: PacketView): void {
    const read = view.direction === 'read';
    if (this.#closing !== null) {
      view.fail(closedError(read ? 'read' : 'write', this.path));
    } else if (read ? !this.#readable : !this.#writable) {
      // What the OS answers for a read on a write-only fd (and the reverse).
      view.fail(systemError('EBADF', { syscall: read ? 'read' : 'write', path: this.path }));
    } else {
      this.#raw.sendIo(position, view);
    }
  }

  #readBatch(batch: ReadBatch): void {
    if (this.#closing !== null) batch.failRest(closedError('read', this.path));
    else if (!this.#readable) batch.failRest(systemError('EBADF', { syscall: 'read', path: this.path }));
    else this.#raw.readBatch!(batch);
  }

  /**
   * Read from `position` to end of file into one Buffer, with reads in flight ahead, as
   * {@link @mfio/core!readToEnd:function | readToEnd} does. The file's size from its metadata is
   * the `sizeHint` (unless one is given), so a regular file is read straight into one buffer with
   * no copy.
   * @throws {MfioError} ERR_FS_FILE_TOO_LARGE past `maxLength`; I/O errors; ABORT_ERR.
   */
  override async readToEnd(position: Position = 0, options: ReadToEndOptions = {}): Promise<Buffer> {
    // A closed handle fails as a read does (not as the fstat below would).
    if (options.sizeHint !== undefined || this.#closing !== null) return readToEnd(this, position, options);
    const start = toPosition(position, 0);
    const { len, type } = await this.metadata();
    // Only a regular file's length says what is there (a pipe or a /proc file reports 0).
    return readToEnd(this, start, type === 'file' ? { ...options, sizeHint: Math.max(0, len - start) } : options);
  }

  /**
   * Write all of `data` at `position` and resolve once it is on stable storage (an fdatasync
   * after it completed). On io_uring the write and the flush are linked in one submission (the
   * flush starts when the write succeeded); elsewhere the write is followed by {@link datasync}
   * (group commit). A failed flush rejects with its error (`syscall: 'fdatasync'`) although the
   * bytes may be in the file: only a resolved promise says they are durable.
   * @throws {MfioError} (as a rejection) as {@link writeAllAt}; EBADF after close or on a handle
   * not open for writing.
   * @example
   * await log.writeDurable(end, record); // the record survives a crash from here on
   */
  async writeDurable(position: Position, data: WriteSource, options?: IoOptions): Promise<void> {
    if (this.#raw.writeDurable === undefined) {
      await this.writeAllAt(position, data, options);
      await this.datasync();
      return;
    }
    await writeAllAt(this.#durable, position, data, options);
  }

  /** A PacketIo whose writes are the driver's durable ones, for the core's writeAllAt. */
  readonly #durable: PacketIo<number> = {
    sendIo: (position, view) => {
      if (this.#closing !== null) view.fail(closedError('write', this.path));
      else if (!this.#writable) view.fail(systemError('EBADF', { syscall: 'write', path: this.path }));
      else this.#raw.writeDurable!(position, view);
    },
  };

  metadata(): Promise<Metadata> {
    if (this.#closing !== null) return Promise.reject(closedError('fstat', this.path));
    return this.#raw.metadata();
  }

  setLen(length: number): Promise<void> {
    if (this.#closing !== null) return Promise.reject(closedError('ftruncate', this.path));
    try {
      toLength(length, 'length');
    } catch (error) {
      return Promise.reject(error);
    }
    // Linux's answer for ftruncate on a handle not open for writing.
    if (!this.#writable) return Promise.reject(systemError('EINVAL', { syscall: 'ftruncate', path: this.path }));
    return this.#raw.setLen(length);
  }

  sync(): Promise<void> {
    if (this.#closing !== null) return Promise.reject(closedError('fsync', this.path));
    return this.#syncs.request();
  }

  datasync(): Promise<void> {
    if (this.#closing !== null) return Promise.reject(closedError('fdatasync', this.path));
    return this.#datasyncs.request();
  }

  close(): Promise<void> {
    // Flushes already asked for run first: one that reached the driver after its close would
    // fail, or worse, flush whatever file took the descriptor number meanwhile. Tracked until the
    // driver's close settles, so the runtime's close waits for it.
    this.#closing ??= this.#resources.untrackAfter(
      this,
      Promise.all([this.#syncs.settled(), this.#datasyncs.settled()]).then(() => this.#raw.close()),
    );
    return this.#closing;
  }

  /** {@link close}: `await using file = await fs.open(path)` closes the file at the end of the scope. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  // What makes this a `Closeable` for `Resources` (checked where it takes the file); the class
  // does not declare `implements Closeable`, so the published declarations need not show it.
  /** @internal runtime close: the same as close (file I/O finishes quickly); never rejects. */
  shut(): Promise<void> {
    return this.close().catch(() => undefined);
  }
}
