import { MfioError, type PacketView } from '@mfio/core';
import { systemError } from '../../errors.js';
import type { RawStream, ShutdownHow, SocketAddress } from '../../net/driver.js';
import type { NativeSockets } from '../../native/addon.js';
import type { ByteRange, Pending } from './command-builder.js';
import { decodeSockaddr } from './sockaddr.js';
import type { NativeQueue } from './native-queue.js';
import { EAGAIN, ECANCELED, EINTR } from './errno.js';

const MSG_NOSIGNAL = 0x4000;
const SHUT_RD = 0;
const SHUT_WR = 1;

interface Transfer {
  view: PacketView;
  done: number;
  /** Its caller aborted: the recv in flight for it was asked to stop. */
  cancelled?: boolean;
  /** Reads only: complete when full (or at end of stream), not on the first bytes. */
  fill: boolean;
}

/** The address of one side of a socket. */
export function socketAddress(sockets: NativeSockets, fd: number, peer: boolean): SocketAddress {
  const out = new Uint8Array(128);
  const length = sockets.socketName(fd, peer, out);
  return length > 0 ? decodeSockaddr(out) : { address: '', port: 0, family: 'IPv4' };
}

/**
 * A connected socket on the ring. One RECV and one SEND are in flight at a time, each straight
 * into (or out of) the caller's buffer: reads complete in order, and a short send is finished
 * before the next write starts, so bytes never interleave.
 */
export class NativeStream implements RawStream {
  readonly #queue: NativeQueue;
  readonly #sockets: NativeSockets;
  readonly #fd: number;
  readonly #local: SocketAddress;
  readonly #remote: SocketAddress;
  readonly #reads: Transfer[] = [];
  readonly #writes: Transfer[] = [];
  #recv: (Pending & { transfer: Transfer }) | null = null;
  #send: Pending | null = null;
  /** No more bytes will arrive (the peer's FIN or our read shutdown). */
  #ended = false;
  #error: MfioError | null = null;
  #writeShut = false;
  #finPending = false;
  #ops = 0;
  #idle: Array<() => void> = [];
  /** Bytes an aborted read had already received: the next read gets them first. */
  #pushback: Buffer[] = [];
  /** The fd is released exactly once; a reset asked for during a graceful close wins. */
  #released = false;
  #resetWanted = false;

  constructor(queue: NativeQueue, sockets: NativeSockets, fd: number) {
    this.#queue = queue;
    this.#sockets = sockets;
    this.#fd = fd;
    this.#local = socketAddress(sockets, fd, false);
    this.#remote = socketAddress(sockets, fd, true);
  }

  localAddress(): SocketAddress {
    return this.#local;
  }

  remoteAddress(): SocketAddress {
    return this.#remote;
  }

  sendIo(view: PacketView, fill: boolean): void {
    if (view.direction === 'read') {
      const transfer: Transfer = { view, done: 0, fill };
      this.#reads.push(transfer);
      view.packet.onCancel(() => this.#cancelRead(transfer));
      this.#pumpReads();
    } else if (this.#writeShut || this.#error !== null) {
      view.fail(this.#error ?? systemError('EPIPE', { syscall: 'write' }));
    } else if (view.length === 0) {
      view.complete(0);
    } else {
      this.#writes.push({ view, done: 0, fill: true });
      this.#pumpWrites();
    }
  }

  shutdown(how: ShutdownHow): void {
    if (how !== 'write')
      this.#op(
        (to) => this.#queue.cmd.shutdown(to, this.#fd, SHUT_RD),
        () => undefined,
      ); // pending and later recvs return 0
    if (how !== 'read' && !this.#writeShut) {
      this.#writeShut = true;
      this.#finPending = true; // after the writes already accepted
      this.#pumpWrites();
    }
  }

  async close(): Promise<void> {
    // Reads not yet on the wire are cancelled; the one in the kernel is asked to stop. Marked,
    // so that if its completion is already on its way with some bytes, the rest of it is not
    // asked again: that recv would have no cancel aimed at it, and a silent peer holds it forever.
    for (const transfer of this.#reads.splice(this.#recv === null ? 0 : 1)) transfer.view.fail(cancelled());
    if (this.#recv !== null) {
      this.#recv.transfer.cancelled = true;
      this.#queue.cancel(this.#recv);
    }
    if (!this.#writeShut) this.shutdown('write'); // flush what was accepted, then FIN
    await this.#whenIdle();
    if (this.#released || this.#resetWanted) return; // destroy() releases the fd
    this.#released = true;
    await new Promise<void>((resolve) =>
      this.#op(
        (to) => this.#queue.cmd.close(to, this.#fd),
        () => resolve(),
      ),
    );
  }

  async destroy(error: MfioError): Promise<void> {
    this.#resetWanted = true;
    this.#error ??= error;
    this.#failQueued(error);
    if (this.#recv !== null) this.#queue.cancel(this.#recv);
    if (this.#send !== null) this.#queue.cancel(this.#send);
    await this.#whenIdle(); // the kernel lets go of every buffer before the fd goes
    if (this.#released) return; // a graceful close got there first
    this.#released = true;
    this.#sockets.socketResetClose(this.#fd);
  }

  #pumpReads(): void {
    if (this.#recv !== null) return;
    const transfer = this.#reads[0];
    if (transfer === undefined) return;
    if (this.#pushback.length > 0) {
      this.#servePushback();
      return;
    }
    if (this.#error !== null || this.#ended) {
      this.#finishReads();
      return;
    }
    const recv: Pending & { transfer: Transfer } = {
      userData: 0,
      transfer,
      complete: (res) => this.#onRecv(recv, res),
    };
    this.#recv = recv;
    this.#ops++;
    this.#queue.cmd.recv(recv, this.#fd, unmoved(transfer));
  }

  #onRecv(recv: Pending & { transfer: Transfer }, res: number): void {
    this.#recv = null;
    const transfer = recv.transfer;
    if (transfer.cancelled && this.#reads[0] === transfer) {
      // Its caller gave up; whatever arrived for it belongs to the next read.
      if (res > 0) transfer.done += res;
      this.#reads.shift();
      this.#keep(transfer);
      transfer.view.fail(this.#error ?? cancelled());
      if (res === 0) this.#ended = true;
    } else if (this.#reads[0] === transfer) {
      if (res > 0) {
        transfer.done += res;
        if (transfer.done === transfer.view.length || !transfer.fill) this.#completeHead();
      } else if (res === 0) {
        this.#ended = true;
      } else if (res === -ECANCELED) {
        this.#reads.shift();
        transfer.view.fail(this.#error ?? cancelled());
      } else if (res !== -EAGAIN && res !== -EINTR) {
        this.#error ??= MfioError.fromErrno(res, { syscall: 'read' });
      }
    }
    this.#pumpReads();
    this.#opDone();
  }

  #completeHead(): void {
    const { view, done } = this.#reads.shift()!;
    view.complete(done);
  }

  /** End of stream or an error: every waiting read completes with what it has. */
  #finishReads(): void {
    for (const { view, done } of this.#reads.splice(0)) {
      if (this.#error === null || done === view.length) {
        view.complete(done);
      } else if (done > 0) {
        const [head, tail] = view.splitAt(done);
        head.complete();
        tail.fail(this.#error);
      } else {
        view.fail(this.#error);
      }
    }
  }

  #cancelRead(transfer: Transfer): void {
    const index = this.#reads.indexOf(transfer);
    if (index < 0) return;
    if (index === 0 && this.#recv !== null) {
      transfer.cancelled = true;
      this.#queue.cancel(this.#recv); // it completes (or not) when the kernel answers
      return;
    }
    this.#reads.splice(index, 1);
    this.#keep(transfer);
    transfer.view.fail(cancelled());
  }

  /** Save what an aborted read had received, ahead of anything received later. */
  #keep(transfer: Transfer): void {
    if (transfer.done > 0) this.#pushback.unshift(Buffer.from(transfer.view.bytes().subarray(0, transfer.done)));
  }

  /** Copy kept bytes into the head read; complete it if that satisfies it. */
  #servePushback(): void {
    const transfer = this.#reads[0]!;
    const { view } = transfer;
    while (this.#pushback.length > 0 && transfer.done < view.length) {
      const chunk = this.#pushback[0]!;
      const n = Math.min(chunk.length, view.length - transfer.done);
      view.packet.buffer.set(chunk.subarray(0, n), view.start + transfer.done);
      transfer.done += n;
      if (n === chunk.length) this.#pushback.shift();
      else this.#pushback[0] = chunk.subarray(n);
    }
    if (transfer.done === view.length || !transfer.fill) this.#completeHead();
    this.#pumpReads();
  }

  #pumpWrites(): void {
    if (this.#send !== null) return;
    const transfer = this.#writes[0];
    if (transfer !== undefined && this.#error !== null) {
      // Reset (destroy) while a short send's completion was on its way: its cancel aimed at the
      // send that just finished, so a send of the rest would be waited for by nobody's cancel,
      // and on a peer that never reads it would never end. What was sent counts; the rest fails.
      for (const rest of this.#writes.splice(0)) failPartly(rest, this.#error);
      this.#finPending = false;
      return;
    }
    if (transfer === undefined) {
      if (this.#finPending) {
        this.#finPending = false;
        this.#op(
          (to) => this.#queue.cmd.shutdown(to, this.#fd, SHUT_WR),
          () => undefined,
        );
      }
      return;
    }
    const send: Pending = { userData: 0, complete: (res) => this.#onSend(transfer, res) };
    this.#send = send;
    this.#ops++;
    this.#queue.cmd.send(send, this.#fd, unmoved(transfer), MSG_NOSIGNAL);
  }

  #onSend(transfer: Transfer, res: number): void {
    this.#send = null;
    if (res > 0) {
      transfer.done += res;
      if (transfer.done === transfer.view.length) {
        this.#writes.shift();
        transfer.view.complete();
      }
    } else if (res !== -EAGAIN && res !== -EINTR) {
      const error = this.#error ?? (res === -ECANCELED ? cancelled('write') : MfioError.fromErrno(res, { syscall: 'write' }));
      this.#writeShut = true;
      this.#finPending = false;
      this.#writes.shift();
      failPartly(transfer, error);
      for (const rest of this.#writes.splice(0)) rest.view.fail(error);
    }
    this.#pumpWrites();
    this.#opDone();
  }

  #failQueued(error: MfioError): void {
    for (const transfer of this.#reads.splice(this.#recv === null ? 0 : 1)) transfer.view.fail(error);
    for (const transfer of this.#writes.splice(this.#send === null ? 0 : 1)) transfer.view.fail(error);
    this.#finPending = false;
    this.#writeShut = true;
  }

  /** A ring operation on this socket without a buffer (shutdown, close): `put` builds it. */
  #op(put: (to: Pending) => void, then: (res: number) => void): void {
    this.#ops++;
    put({
      userData: 0,
      complete: (res) => {
        then(res);
        this.#opDone();
      },
    });
  }

  #opDone(): void {
    if (--this.#ops === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  #whenIdle(): Promise<void> {
    if (this.#ops === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

/** The part of a transfer's view not moved yet. */
function unmoved({ view, done }: Transfer): ByteRange {
  return { buffer: view.packet.buffer, offset: view.start + done, length: view.length - done };
}

function cancelled(syscall = 'read'): MfioError {
  return systemError('ECANCELED', { syscall });
}

/** The bytes sent count; the error applies to the rest. */
function failPartly(transfer: Transfer, error: MfioError): void {
  const { view, done } = transfer;
  if (done === 0) {
    view.fail(error);
    return;
  }
  const [head, tail] = view.splitAt(done);
  head.complete();
  tail.fail(error);
}
