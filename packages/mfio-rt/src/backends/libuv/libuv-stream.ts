import type { Socket } from 'node:net';
import type { MfioError, PacketView } from '@mfio/core';
import { fromNodeError, systemError } from '../../errors.js';
import type { RawStream, ShutdownHow, SocketAddress } from '../../net/driver.js';

/** A read waiting for bytes: `filled` bytes of `view` are already copied. */
interface PendingRead {
  view: PacketView;
  filled: number;
  fill: boolean;
}

/** Pause the socket when this many received bytes wait for a read. */
const HIGH_WATER = 1 << 20;

/** The address of one side of a socket, in {@link SocketAddress} form. */
function addressOf(address: string | undefined, port: number | undefined, family: string | undefined): SocketAddress {
  return { address: address ?? '', port: port ?? 0, family: family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

/**
 * A `node:net` socket as a {@link RawStream}: received chunks are queued and copied into read
 * views in order (the socket is paused while too much waits unread); writes go to
 * `socket.write` with the view's bytes and complete from its callback, when libuv has handed
 * them to the kernel.
 */
export class LibuvStream implements RawStream {
  readonly #socket: Socket;
  readonly #reads: PendingRead[] = [];
  readonly #chunks: Buffer[] = [];
  #chunkOffset = 0;
  #buffered = 0;
  /** No more bytes will arrive: the peer's FIN, our read shutdown, or an error. */
  #ended = false;
  #error: MfioError | null = null;
  readonly #writes = new Set<PacketView>();
  #writeShut = false;
  #closed: Promise<void>;
  #local: SocketAddress;
  #remote: SocketAddress;

  constructor(socket: Socket) {
    this.#socket = socket;
    // Reading from the start (up to HIGH_WATER unread, then paused): libuv sees a peer's reset
    // only while it reads. A socket paused before its first read and reset meanwhile reads the
    // bytes sent before the reset and then a clean end of stream (Node 20 on Linux), so a reset
    // would pass for an orderly close.
    socket.setNoDelay(true);
    // Read the addresses now: a destroyed socket no longer knows them.
    this.#local = addressOf(socket.localAddress, socket.localPort, socket.localFamily);
    this.#remote = addressOf(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#end(null));
    socket.on('error', (error) => this.#end(fromNodeError(error, { syscall: 'read' })));
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => {
      this.#end(this.#error ?? null);
      this.#failWrites(this.#error ?? systemError('EPIPE', { syscall: 'write' }));
    });
  }

  localAddress(): SocketAddress {
    return this.#local;
  }

  remoteAddress(): SocketAddress {
    return this.#remote;
  }

  sendIo(view: PacketView, fill: boolean): void {
    if (view.direction === 'read') {
      const pending: PendingRead = { view, filled: 0, fill };
      this.#reads.push(pending);
      // Deferred: completing inside packet.cancel() would let the core's awaitPacket resolve
      // with ECANCELED before it rejects with ABORT_ERR (it cancels, then rejects).
      view.packet.onCancel(() => queueMicrotask(() => this.#cancelRead(pending)));
      this.#pump();
      if (this.#reads.length > 0 && this.#socket.isPaused() && !this.#ended) this.#socket.resume();
    } else {
      this.#write(view);
    }
  }

  #write(view: PacketView): void {
    if (this.#writeShut || this.#error !== null || this.#socket.destroyed) {
      view.fail(this.#error ?? systemError('EPIPE', { syscall: 'write' }));
      return;
    }
    if (view.length === 0) {
      view.complete(0);
      return;
    }
    this.#writes.add(view);
    this.#socket.write(view.bytes(), (error) => {
      if (!this.#writes.delete(view)) return; // already failed by close
      if (error) view.fail(fromNodeError(error, { syscall: 'write' }));
      else view.complete();
    });
  }

  #onData(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#pump();
    if (this.#buffered >= HIGH_WATER && this.#reads.length === 0) this.#socket.pause();
  }

  /** Copy buffered bytes into pending reads, in order, completing those that are done. */
  #pump(): void {
    while (this.#reads.length > 0) {
      const pending = this.#reads[0]!;
      const { view } = pending;
      while (pending.filled < view.length && this.#chunks.length > 0) {
        const chunk = this.#chunks[0]!;
        const n = Math.min(chunk.length - this.#chunkOffset, view.length - pending.filled);
        view.packet.buffer.set(chunk.subarray(this.#chunkOffset, this.#chunkOffset + n), view.start + pending.filled);
        pending.filled += n;
        this.#buffered -= n;
        this.#chunkOffset += n;
        if (this.#chunkOffset === chunk.length) {
          this.#chunks.shift();
          this.#chunkOffset = 0;
        }
      }
      const full = pending.filled === view.length;
      if (!full && !this.#ended && (pending.fill || pending.filled === 0)) return;
      this.#reads.shift();
      if (full || this.#error === null) {
        view.complete(pending.filled);
      } else if (pending.filled > 0) {
        // The bytes that arrived count; the error applies to the rest.
        const [head, tail] = view.splitAt(pending.filled);
        head.complete();
        tail.fail(this.#error);
      } else {
        view.fail(this.#error);
      }
    }
  }

  #end(error: MfioError | null): void {
    if (error !== null && this.#error === null) this.#error = error;
    this.#ended = true;
    this.#pump();
  }

  #cancelRead(pending: PendingRead): void {
    const index = this.#reads.indexOf(pending);
    if (index < 0) return;
    this.#reads.splice(index, 1);
    if (pending.filled > 0) this.#unread(pending);
    pending.view.fail(systemError('ECANCELED', { syscall: 'read' }));
    this.#pump(); // the next read may take them now
  }

  /**
   * Give the bytes a cancelled read had received back to the stream, ahead of everything else:
   * they were never delivered, so the next read gets them (only the head read can hold any).
   * Copied: the cancelled read's buffer is the caller's again.
   */
  #unread(pending: PendingRead): void {
    const { view, filled } = pending;
    if (this.#chunkOffset > 0) {
      this.#chunks[0] = this.#chunks[0]!.subarray(this.#chunkOffset);
      this.#chunkOffset = 0;
    }
    this.#chunks.unshift(Buffer.from(view.packet.buffer.subarray(view.start, view.start + filled)));
    this.#buffered += filled;
  }

  #failReads(error: MfioError): void {
    const reads = this.#reads.splice(0);
    for (const { view } of reads) view.fail(error);
  }

  #failWrites(error: MfioError): void {
    const writes = [...this.#writes];
    this.#writes.clear();
    for (const view of writes) view.fail(error);
  }

  shutdown(how: ShutdownHow): void {
    if (how !== 'write') {
      // Node cannot shut down reading; stop delivering instead and drop what comes.
      this.#ended = true;
      this.#chunks.length = 0;
      this.#buffered = 0;
      this.#socket.removeAllListeners('data');
      this.#socket.on('data', () => undefined);
      this.#socket.resume();
      this.#pump();
    }
    if (how !== 'read' && !this.#writeShut) {
      this.#writeShut = true;
      this.#socket.end();
    }
  }

  async close(): Promise<void> {
    this.#failReads(systemError('ECANCELED', { syscall: 'read' }));
    this.#ended = true;
    if (!this.#socket.destroyed) {
      // Flush what was accepted, send FIN, then release the handle.
      await new Promise<void>((resolve) => {
        this.#writeShut = true;
        if (this.#socket.writableFinished) return resolve();
        this.#socket.once('finish', () => resolve());
        this.#socket.once('close', () => resolve());
        this.#socket.end();
      });
      this.#socket.destroy();
    }
    await this.#closed;
  }

  async destroy(error: MfioError): Promise<void> {
    if (this.#error === null) this.#error = error;
    this.#failReads(error);
    this.#failWrites(error);
    this.#ended = true;
    try {
      this.#socket.resetAndDestroy(); // RST: the peer learns at once, nothing lingers
    } catch {
      this.#socket.destroy();
    }
    await this.#closed;
  }
}
