import { fdatasync, fstat, fsync, ftruncate, read, write, close } from 'node:fs';
import type { PacketView } from '@mfio/core';
import { fromNodeError, systemError } from '../../errors.js';
import type { RawFile } from '../../fs/driver.js';
import type { Metadata } from '../../fs/types.js';
import { toMetadata } from './metadata.js';

/**
 * A file on libuv's thread pool: each view is one `fs.read`/`fs.write` (pread/pwrite) with
 * the view's window of the packet's buffer, completed from the callback.
 */
export class LibuvFile implements RawFile {
  readonly #fd: number;
  readonly #path: string;
  #inFlight = 0;
  #onIdle: (() => void) | null = null;

  constructor(fd: number, path: string) {
    this.#fd = fd;
    this.#path = path;
  }

  sendIo(position: number, view: PacketView): void {
    if (view.length === 0) {
      view.complete(0);
      return;
    }
    this.#inFlight++;
    if (view.direction === 'read') this.#read(position, view);
    else this.#write(position, view);
  }

  #read(position: number, view: PacketView): void {
    read(this.#fd, view.packet.buffer, view.start, view.length, position, (error, n) => {
      if (error) {
        view.fail(fromNodeError(error, { syscall: 'read', path: this.#path, position }));
      } else if (n > 0 && n < view.length) {
        // A short read is end of file only if the next read returns 0: pread may stop early
        // (Linux caps one read at 2 GiB). Complete what came and read on for the rest.
        const [head, tail] = view.splitAt(n);
        head.complete(n);
        if (view.packet.cancelled) {
          tail.fail(systemError('ECANCELED', { syscall: 'read', path: this.#path, position: position + n }));
        } else {
          this.#inFlight++;
          this.#read(position + n, tail);
        }
      } else {
        view.complete(n);
      }
      this.#done();
    });
  }

  #write(position: number, view: PacketView): void {
    write(this.#fd, view.packet.buffer, view.start, view.length, position, (error, n) => {
      // A short write is reported as such; the core's writeAllAt continues after it.
      if (error) view.fail(fromNodeError(error, { syscall: 'write', path: this.#path, position }));
      else view.complete(n);
      this.#done();
    });
  }

  #done(): void {
    if (--this.#inFlight === 0 && this.#onIdle !== null) this.#onIdle();
  }

  metadata(): Promise<Metadata> {
    return this.#fdCall<Metadata>((done) => fstat(this.#fd, (error, stats) => done(error, error ? undefined : toMetadata(stats))));
  }

  setLen(length: number): Promise<void> {
    return this.#fdCall<void>((done) => ftruncate(this.#fd, length, (error) => done(error, undefined)));
  }

  sync(): Promise<void> {
    return this.#fdCall<void>((done) => fsync(this.#fd, (error) => done(error, undefined)));
  }

  datasync(): Promise<void> {
    return this.#fdCall<void>((done) => fdatasync(this.#fd, (error) => done(error, undefined)));
  }

  /** A node:fs call on the fd, counted among the requests `close` waits for. */
  #fdCall<T>(call: (done: (error: NodeJS.ErrnoException | null, value: T | undefined) => void) => void): Promise<T> {
    this.#inFlight++;
    return new Promise<T>((resolve, reject) => {
      call((error, value) => {
        this.#done();
        if (error) reject(fromNodeError(error, { path: this.#path }));
        else resolve(value as T);
      });
    });
  }

  async close(): Promise<void> {
    // The fd must outlive every read and write using it: closing earlier could let a new file
    // reuse the number while the thread pool still writes through it.
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    await new Promise<void>((resolve, reject) => {
      close(this.#fd, (error) => (error ? reject(fromNodeError(error, { path: this.#path })) : resolve()));
    });
  }
}
