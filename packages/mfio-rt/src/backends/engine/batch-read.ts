import { MfioError, type ReadBatch } from '@mfio/core';
import { MAX_TRANSFER } from './commands.js';
import type { Pending } from './command-builder.js';
import type { NativeQueue, RequestSource } from './native-queue.js';
import { EAGAIN, ECANCELED, EINTR } from './errno.js';

/** The file a batch reads from, told when the whole batch is done. */
export interface BatchFile {
  readonly queue: NativeQueue;
  readonly fd: number;
  readonly path: string;
  done(): void;
}

/**
 * A whole readMany batch as one {@link Pending}: one READ command per request, written straight
 * from the batch's columns when the queue has room for it (a {@link RequestSource}), with no
 * object per request. A short read continues where it stopped (only a 0 says end of file);
 * EAGAIN and EINTR are retried; abort completes what was not written yet, drops what is still
 * queued in JS and cancels what the kernel holds. The batch keeps the buffer referenced until
 * its last request completes.
 */
export class BatchRead implements Pending, RequestSource {
  userData = 0;
  readonly #file: BatchFile;
  readonly #batch: ReadBatch;
  /** The next request to write. */
  #next = 0;
  /** Bytes already read by requests that came back short, allocated on the first one. */
  #progress: Float64Array | null = null;
  #outstanding: number;

  constructor(file: BatchFile, batch: ReadBatch) {
    this.#file = file;
    this.#batch = batch;
    this.#outstanding = batch.count;
  }

  start(): void {
    const queue = this.#file.queue;
    this.#batch.onCancel(() => {
      queue.removeSource(this);
      this.abandon(-ECANCELED); // never written
      queue.cancelMany(this);
    });
    queue.addSource(this);
  }

  fill(room: number): boolean {
    const { positions, lengths, offsets, buffer } = this.#batch;
    const { queue, fd } = this.#file;
    const count = positions.length;
    let i = this.#next;
    for (; i < count && room > 0; i++) {
      const len = lengths[i]!;
      if (len === 0) {
        this.#finish(i, 0, null);
      } else {
        // A request over MAX_TRANSFER continues like a short read.
        queue.cmd.readOfBatch(this, i, fd, buffer, offsets[i]!, Math.min(len, MAX_TRANSFER), positions[i]!);
        room--;
      }
    }
    this.#next = i;
    return i < count;
  }

  abandon(res: number): void {
    const count = this.#batch.count;
    for (let i = this.#next; i < count; i++) this.#finish(i, 0, this.#error(res, i, 0));
    this.#next = count;
  }

  complete(res: number, i: number): void {
    const batch = this.#batch;
    const done = this.#progress?.[i] ?? 0;
    const rest = batch.lengths[i]! - done;
    if (res === rest || res === 0) {
      this.#finish(i, done + res, null);
    } else if (res > 0) {
      (this.#progress ??= new Float64Array(batch.count))[i] = done + res;
      if (batch.cancelled) this.#finish(i, done + res, this.#error(-ECANCELED, i, done + res));
      else this.#resubmit(i, done + res);
    } else if (res === -EAGAIN || res === -EINTR) {
      if (batch.cancelled) this.#finish(i, done, this.#error(-ECANCELED, i, done));
      else this.#resubmit(i, done);
    } else {
      this.#finish(i, done, this.#error(res, i, done));
    }
  }

  #resubmit(i: number, done: number): void {
    const batch = this.#batch;
    const len = Math.min(batch.lengths[i]! - done, MAX_TRANSFER);
    this.#file.queue.cmd.readOfBatch(this, i, this.#file.fd, batch.buffer, batch.offsets[i]! + done, len, batch.positions[i]! + done);
  }

  #error(res: number, i: number, done: number): MfioError {
    return MfioError.fromErrno(res, { syscall: 'read', path: this.#file.path, position: this.#batch.positions[i]! + done });
  }

  #finish(i: number, transferred: number, error: MfioError | null): void {
    if (error === null) this.#batch.complete(i, transferred);
    else this.#batch.fail(i, error, transferred);
    if (--this.#outstanding === 0) this.#file.done();
  }
}
