import { MfioError, type PacketView } from '@mfio/core';
import type { ByteRange, Pending } from './command-builder.js';
import type { NativeQueue } from './native-queue.js';
import { EAGAIN, EINTR } from './errno.js';

/** The file a durable write goes to, told when it is done. */
export interface DurableFile {
  readonly queue: NativeQueue;
  readonly fd: number;
  readonly path: string;
  done(): void;
}

/**
 * A write and an fdatasync linked to it (io_uring's IOSQE_IO_LINK) as one {@link Pending}:
 * request 0 is the write, request 1 the flush, which the kernel starts only once the write
 * succeeded in full. The view completes once both have: "durable when this resolves", in one
 * round trip. A short write breaks the link (the flush completes with ECANCELED): what was
 * written completes, and the rest goes again as a new linked pair, whose flush covers both.
 */
export class DurableWrite implements Pending, ByteRange {
  userData = 0;
  readonly #file: DurableFile;
  #view: PacketView;
  #position: number;
  #written: number | null = null;
  #flushed: number | null = null;

  constructor(file: DurableFile, view: PacketView, position: number) {
    this.#file = file;
    this.#view = view;
    this.#position = position;
  }

  start(): void {
    this.#submit();
    const queue = this.#file.queue;
    this.#view.packet.onCancel(() => queue.cancelMany(this));
  }

  get buffer(): Uint8Array {
    return this.#view.packet.buffer;
  }

  get offset(): number {
    return this.#view.start;
  }

  get length(): number {
    return this.#view.length;
  }

  #submit(): void {
    this.#written = null;
    this.#flushed = null;
    this.#file.queue.cmd.writeThenDatasync(this, this.#file.fd, this, this.#position);
  }

  complete(res: number, index: number): void {
    if (index === 0) this.#written = res;
    else this.#flushed = res;
    if (this.#written !== null && this.#flushed !== null) this.#settle(this.#written, this.#flushed);
  }

  #settle(written: number, flushed: number): void {
    const view = this.#view;
    const cancelled = view.packet.cancelled;
    const context = { path: this.#file.path, position: this.#position };
    if (written === view.length && flushed >= 0) {
      view.complete();
    } else if (written > 0 && written < view.length) {
      const [head, tail] = view.splitAt(written);
      head.complete();
      if (cancelled) {
        tail.fail(MfioError.fromCode('ECANCELED', { ...context, syscall: 'write', position: this.#position + written }));
      } else {
        this.#view = tail;
        this.#position += written;
        this.#submit();
        return;
      }
    } else if ((written === -EAGAIN || written === -EINTR) && !cancelled) {
      this.#submit();
      return;
    } else if (written === -EAGAIN || written === -EINTR) {
      view.fail(MfioError.fromCode('ECANCELED', { ...context, syscall: 'write' }));
    } else if (written < 0) {
      view.fail(MfioError.fromErrno(written, { ...context, syscall: 'write' }));
    } else if (written === view.length) {
      // Written, not flushed: the bytes are in the page cache, and nothing says they are on disk.
      view.fail(MfioError.fromErrno(flushed, { ...context, syscall: 'fdatasync' }));
    } else {
      view.complete(0); // a write of nothing, as a plain write reports it
    }
    this.#file.done();
  }
}
