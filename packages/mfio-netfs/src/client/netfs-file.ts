import { MfioError, type PacketView } from '@mfio/core';
import type { Metadata, OpenFlags, RawFile } from '@mfio/rt';
import { FrameType as T } from '../protocol/constants.js';
import type { ClientConnection } from './client-connection.js';
import { toMetadata } from './metadata.js';

/**
 * An open remote file: each view goes out as READ/WRITE requests of at most the server's
 * limits (a larger view is split, each part completing its own range), answered in any order.
 * No promise per request: completions go straight to the views.
 */
export class NetFsFile implements RawFile {
  readonly #conn: ClientConnection;
  readonly #handle: number;
  readonly #path: string;
  readonly #append: boolean;
  #inFlight = 0;
  #idle: Array<() => void> = [];
  /** In append mode parts of one split write must land in order: each waits for the previous. */
  #appendTail: Promise<void> = Promise.resolve();

  constructor(conn: ClientConnection, handle: number, path: string, flags: OpenFlags) {
    this.#conn = conn;
    this.#handle = handle;
    this.#path = path;
    this.#append = flags.append;
  }

  sendIo(position: number, view: PacketView): void {
    if (view.length === 0) {
      // Nothing to ask the server (the protocol has no empty READ or WRITE); still complete
      // later, not inside sendIo, like every other completion.
      this.#inFlight++;
      queueMicrotask(() => {
        view.complete(0);
        if (--this.#inFlight === 0) this.#wake();
      });
      return;
    }
    const read = view.direction === 'read';
    const max = read ? this.#conn.limits.maxRead : this.#conn.maxWrite;
    let rest = view;
    let at = position;
    while (rest.length > max) {
      const [head, tail] = rest.splitAt(max);
      this.#send(read, at, head);
      at += max;
      rest = tail;
    }
    this.#send(read, at, rest);
  }

  #send(read: boolean, position: number, view: PacketView): void {
    this.#inFlight++;
    const done = (): void => {
      if (--this.#inFlight === 0) this.#wake();
    };
    const context = { syscall: read ? 'read' : 'write', path: this.#path };
    if (read) {
      this.#conn.read(this.#handle, position, view, context, done);
    } else if (!this.#append) {
      this.#conn.write(this.#handle, position, view, context, done);
    } else {
      this.#appendTail = this.#appendTail.then(
        () => new Promise<void>((resolve) => this.#conn.write(this.#handle, position, view, context, () => (done(), resolve()))),
      );
    }
  }

  async metadata(): Promise<Metadata> {
    const m = await this.#conn.call({ type: T.FILE_METADATA, handle: this.#handle }, { syscall: 'fstat', path: this.#path });
    if (m.type !== T.METADATA_RESULT) throw unexpected(m.type);
    return toMetadata(m.metadata);
  }

  async setLen(length: number): Promise<void> {
    await this.#conn.call({ type: T.SET_LEN, handle: this.#handle, length }, { syscall: 'ftruncate', path: this.#path });
  }

  async sync(): Promise<void> {
    await this.#conn.call({ type: T.SYNC, handle: this.#handle }, { syscall: 'fsync', path: this.#path });
  }

  /**
   * After every request in flight on this handle, release it on the server. A connection that
   * is gone already released it there, so that is not an error.
   */
  async close(): Promise<void> {
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (!this.#conn.alive) return;
    try {
      await this.#conn.call({ type: T.CLOSE_FILE, handle: this.#handle }, { syscall: 'close', path: this.#path });
    } catch (error) {
      if (!(error instanceof MfioError && error.code === 'ECONNRESET')) throw error;
    }
  }

  #wake(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}

/** A response of the wrong type where the protocol allows one: the server broke the protocol. */
export function unexpected(type: number): MfioError {
  return new MfioError('EPROTO', `netfs protocol error: unexpected response 0x${type.toString(16)}`, { syscall: 'netfs' });
}
