import { ftruncate, ftruncateSync } from 'node:fs';
import { MfioError, type PacketView, type ReadBatch } from '@mfio/core';
import { fromNodeError } from '../../errors.js';
import type { RawFile } from '../../fs/driver.js';
import type { Metadata } from '../../fs/types.js';
import { BatchRead } from './batch-read.js';
import { DurableWrite } from './durable-write.js';
import { EMPTY_PATH, statxBuffer, type ByteRange, type Pending } from './command-builder.js';
import { AT_EMPTY_PATH } from './commands.js';
import { parseDioAlign, parseStatx, STATX_DIOALIGN, STATX_MASK } from './statx.js';
import type { NativeQueue } from './native-queue.js';
import { EAGAIN, EINTR } from './errno.js';
import { currentHost } from '../host.js';

/** setLen through the executor, not node:fs: see {@link NativeFile.setLen}. */
const SET_LEN_NATIVELY = process.platform === 'win32' || currentHost().name === 'deno';

/** Where a native operation applies, for its error. */
export interface CallContext {
  syscall: string;
  path?: string;
  dest?: string;
}

/**
 * Run one native operation: `submit` puts its command with the Pending it is given; resolves
 * with `res >= 0`, rejects with the errno as an MfioError that names `context`.
 * @example await nativeCall({ syscall: 'close', path }, (to) => queue.cmd.close(to, fd));
 */
export function nativeCall(context: CallContext, submit: (to: Pending) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    submit({
      userData: 0,
      complete(res) {
        if (res < 0) reject(MfioError.fromErrno(res, context));
        else resolve(res);
      },
    });
  });
}

/**
 * One read or write of a view. A short transfer is completed as far as it went and the rest is
 * asked again (only a 0 says end of file); EAGAIN and EINTR are retried.
 */
class ReadWrite implements Pending, ByteRange {
  userData = 0;
  readonly #file: NativeFile;
  #view: PacketView;
  #position: number;

  constructor(file: NativeFile, view: PacketView, position: number) {
    this.#file = file;
    this.#view = view;
    this.#position = position;
  }

  /** Put the first command, then listen for a cancel (once: a resubmit keeps the same slot owner). */
  start(): void {
    this.submit();
    const queue = this.#file.queue;
    this.#view.packet.onCancel(() => queue.cancel(this));
  }

  /** The bytes still to move: the view's (a short transfer leaves its tail here). */
  get buffer(): Uint8Array {
    return this.#view.packet.buffer;
  }

  get offset(): number {
    return this.#view.start;
  }

  get length(): number {
    return this.#view.length;
  }

  submit(): void {
    const { queue, fd } = this.#file;
    if (this.#view.direction === 'read') queue.cmd.read(this, fd, this, this.#position);
    else queue.cmd.write(this, fd, this, this.#position);
  }

  complete(res: number): void {
    const view = this.#view;
    if (res === view.length || res === 0) {
      view.complete(res);
    } else if (res > 0) {
      const [head, tail] = view.splitAt(res);
      head.complete();
      if (view.packet.cancelled) {
        tail.fail(MfioError.fromCode('ECANCELED', { syscall: view.direction, path: this.#file.path, position: this.#position + res }));
      } else {
        this.#view = tail;
        this.#position += res;
        this.submit();
        return;
      }
    } else if ((res === -EAGAIN || res === -EINTR) && !view.packet.cancelled) {
      this.submit();
      return;
    } else {
      view.fail(MfioError.fromErrno(res, { syscall: view.direction, path: this.#file.path, position: this.#position }));
    }
    this.#file.done();
  }
}

/** A file opened by a native backend: each view becomes one READ/WRITE command. */
export class NativeFile implements RawFile {
  readonly queue: NativeQueue;
  readonly fd: number;
  readonly spliceFd?: number;
  readonly path: string;
  #inFlight = 0;
  #onIdle: (() => void) | null = null;

  constructor(queue: NativeQueue, fd: number, path: string) {
    this.queue = queue;
    this.fd = fd;
    this.path = path;
    // A descriptor of the kernel's: IOCP's is a HANDLE, and splice is Linux's.
    if (process.platform === 'linux') this.spliceFd = fd;
    if (queue.name === 'io_uring') {
      this.writeDurable = (position, view) => {
        if (view.length === 0) {
          view.complete(0);
          return;
        }
        this.#inFlight++;
        new DurableWrite(this, view, position).start();
      };
    }
  }

  sendIo(position: number, view: PacketView): void {
    if (view.length === 0) {
      view.complete(0);
      return;
    }
    this.#inFlight++;
    new ReadWrite(this, view, position).start();
  }

  /** A readMany batch whole: one READ per request, no object per request. */
  readBatch(batch: ReadBatch): void {
    this.#inFlight++;
    new BatchRead(this, batch).start();
  }

  /**
   * io_uring only: the write and an fdatasync linked to it in one submission (see
   * {@link DurableWrite}). Absent on the other executors, which run commands independently.
   */
  readonly writeDurable?: (position: number, view: PacketView) => void;

  /** @internal a ReadWrite, a BatchRead or a DurableWrite finished. */
  done(): void {
    if (--this.#inFlight === 0 && this.#onIdle !== null) this.#onIdle();
  }

  metadata(): Promise<Metadata> {
    return this.#counted(async () => {
      const out = statxBuffer();
      await nativeCall({ syscall: 'statx', path: this.path }, (to) => this.queue.cmd.statx(to, this.fd, EMPTY_PATH, AT_EMPTY_PATH, STATX_MASK, out));
      return parseStatx(out);
    });
  }

  /** STATX_DIOALIGN on the descriptor (Linux 6.1+; elsewhere and on Windows not reported). */
  directAlignment(): Promise<{ memory: number; offset: number } | 'unsupported' | null> {
    return this.#counted(async () => {
      const out = statxBuffer();
      await nativeCall({ syscall: 'statx', path: this.path }, (to) => this.queue.cmd.statx(to, this.fd, EMPTY_PATH, AT_EMPTY_PATH, STATX_DIOALIGN, out));
      return parseDioAlign(out);
    });
  }

  /**
   * Where node:fs takes the descriptor (not a Windows HANDLE, not on Deno): ftruncate, blocking.
   * Elsewhere the executor's setLen is a request like any other, which a blocking loop drives.
   */
  readonly setLenSync?: (length: number) => void = SET_LEN_NATIVELY
    ? undefined
    : (length) => {
        try {
          ftruncateSync(this.fd, length);
        } catch (error) {
          throw fromNodeError(error, { syscall: 'ftruncate', path: this.path });
        }
      };

  setLen(length: number): Promise<void> {
    return this.#counted(async () => {
      // Where node:fs cannot take the fd, the executor sets the length: IOCP's fd is a HANDLE,
      // and Deno's node:fs takes only descriptors it opened itself (EBADF).
      if (SET_LEN_NATIVELY) {
        await nativeCall({ syscall: 'ftruncate', path: this.path }, (to) => this.queue.cmd.setLen(to, this.fd, length));
        return;
      }
      // IORING_OP_FTRUNCATE needs Linux 6.9; libuv's ftruncate works everywhere.
      await new Promise<void>((resolve, reject) => {
        ftruncate(this.fd, length, (error) => (error ? reject(fromNodeError(error, { syscall: 'ftruncate', path: this.path })) : resolve()));
      });
    });
  }

  sync(): Promise<void> {
    return this.#counted(() => nativeCall({ syscall: 'fsync', path: this.path }, (to) => this.queue.cmd.fsync(to, this.fd, false)).then(() => undefined));
  }

  datasync(): Promise<void> {
    return this.#counted(() => nativeCall({ syscall: 'fdatasync', path: this.path }, (to) => this.queue.cmd.fsync(to, this.fd, true)).then(() => undefined));
  }

  /** Run a call that uses the fd as one of the requests `close` waits for. */
  async #counted<T>(call: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    try {
      return await call();
    } finally {
      this.done();
    }
  }

  async close(): Promise<void> {
    // The fd must outlive every request using it, or a new file could reuse its number.
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    await nativeCall({ syscall: 'close', path: this.path }, (to) => this.queue.cmd.close(to, this.fd));
  }
}
