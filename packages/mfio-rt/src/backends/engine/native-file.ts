import { ftruncate } from 'node:fs';
import { MfioError, type PacketView, type ReadBatch } from '@mfio/core';
import { fromNodeError } from '../../errors.js';
import type { RawFile } from '../../fs/driver.js';
import type { Metadata } from '../../fs/types.js';
import { BatchRead } from './batch-read.js';
import { AT_EMPTY_PATH, Op } from './commands.js';
import { parseStatx, STATX_MASK, STATX_SIZE } from './statx.js';
import type { Pending, NativeQueue } from './native-queue.js';
import { EAGAIN, EINTR } from './errno.js';

const EMPTY_PATH = Buffer.from('\0');

/** Where a native operation applies, for its error. */
export interface CallContext {
  syscall: string;
  path?: string;
  dest?: string;
}

/**
 * Run one native operation whose memory is only `buffer` (a path) and `second` (a second path or
 * a statx buffer; it takes `arg`'s place); resolves with `res >= 0`, rejects with the errno as an
 * MfioError.
 */
export function nativeCall(
  queue: NativeQueue,
  op: Op,
  fd: number,
  buffer: Uint8Array | null,
  len: number,
  flags: number,
  second: Uint8Array | null,
  context: CallContext,
  arg = 0,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const pending: Pending & { keep: [Uint8Array | null, Uint8Array | null] } = {
      userData: 0,
      keep: [buffer, second], // referenced until the kernel is done with them
      complete(res) {
        if (res < 0) reject(MfioError.fromErrno(res, context));
        else resolve(res);
      },
    };
    queue.enqueue(op, fd, buffer, 0, buffer === null ? 0 : len, arg, flags, pending, second);
  });
}

/**
 * One read or write of a view. A short transfer is completed as far as it went and the rest is
 * asked again (only a 0 says end of file); EAGAIN and EINTR are retried.
 */
class ReadWrite implements Pending {
  userData = 0;
  readonly #file: NativeFile;
  #view: PacketView;
  #position: number;

  constructor(file: NativeFile, view: PacketView, position: number) {
    this.#file = file;
    this.#view = view;
    this.#position = position;
  }

  submit(): void {
    const view = this.#view;
    this.#file.queue.enqueue(view.direction === 'read' ? Op.Read : Op.Write, this.#file.fd, view.packet.buffer, view.start, view.length, this.#position, 0, this);
    view.packet.onCancel(() => this.#file.queue.cancel(this));
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
  readonly path: string;
  #inFlight = 0;
  #onIdle: (() => void) | null = null;

  constructor(queue: NativeQueue, fd: number, path: string) {
    this.queue = queue;
    this.fd = fd;
    this.path = path;
  }

  sendIo(position: number, view: PacketView): void {
    if (view.length === 0) {
      view.complete(0);
      return;
    }
    this.#inFlight++;
    new ReadWrite(this, view, position).submit();
  }

  /** A readMany batch whole: one READ per request, no object per request. */
  readBatch(batch: ReadBatch): void {
    this.#inFlight++;
    new BatchRead(this, batch).start();
  }

  /** @internal a ReadWrite or a BatchRead finished. */
  done(): void {
    if (--this.#inFlight === 0 && this.#onIdle !== null) this.#onIdle();
  }

  async metadata(): Promise<Metadata> {
    const out = new Uint8Array(STATX_SIZE);
    await nativeCall(this.queue, Op.Statx, this.fd, EMPTY_PATH, STATX_MASK, AT_EMPTY_PATH, out, { syscall: 'statx', path: this.path });
    return parseStatx(out);
  }

  async setLen(length: number): Promise<void> {
    // On Windows the fd is a HANDLE, which node:fs cannot take: the IOCP port sets the length.
    if (process.platform === 'win32') {
      await nativeCall(this.queue, Op.SetLen, this.fd, null, 0, 0, null, { syscall: 'ftruncate', path: this.path }, length);
      return;
    }
    // IORING_OP_FTRUNCATE needs Linux 6.9; libuv's ftruncate works everywhere.
    return new Promise((resolve, reject) => {
      ftruncate(this.fd, length, (error) => (error ? reject(fromNodeError(error, { syscall: 'ftruncate', path: this.path })) : resolve()));
    });
  }

  async sync(): Promise<void> {
    await nativeCall(this.queue, Op.Fsync, this.fd, null, 0, 0, null, { syscall: 'fsync', path: this.path });
  }

  async close(): Promise<void> {
    // The fd must outlive every request using it, or a new file could reuse its number.
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    await nativeCall(this.queue, Op.Close, this.fd, null, 0, 0, null, { syscall: 'close', path: this.path });
  }
}
