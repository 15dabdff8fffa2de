import { lookup } from 'node:dns/promises';
import { MfioError, type IoBackend } from '@mfio/core';
import { fromNodeError, systemError } from '../../errors.js';
import { AcceptQueue } from '../../net/accept-queue.js';
import type { RawListener, RawStream, SocketAddress, TcpDriver } from '../../net/driver.js';
import type { NativeSockets } from '../../native/addon.js';
import { encodeSockaddr } from './sockaddr.js';
import { socketAddress, NativeStream } from './native-stream.js';
import type { Pending } from './command-builder.js';
import type { NativeQueue } from './native-queue.js';
import { ECANCELED, ECONNABORTED, ECONNRESET } from './errno.js';

async function resolveHost(host: string, syscall: string): Promise<{ address: string; ipv6: boolean }> {
  try {
    const { address, family } = await lookup(host);
    return { address, ipv6: family === 6 };
  } catch (error) {
    throw fromNodeError(error, { syscall });
  }
}

/** Open a socket for `address`, or throw its errno. */
function openSocket(sockets: NativeSockets, ipv6: boolean): number {
  const fd = sockets.socketOpen(ipv6);
  if (fd < 0) throw MfioError.fromErrno(fd, { syscall: 'socket' });
  return fd;
}

/** TCP on the ring: CONNECT, ACCEPT, RECV, SEND, SHUTDOWN and CLOSE are ring operations. */
export class NativeTcpDriver implements TcpDriver {
  readonly backend: IoBackend;
  readonly #queue: NativeQueue;
  readonly #sockets: NativeSockets;

  constructor(queue: NativeQueue, sockets: NativeSockets) {
    this.backend = queue;
    this.#queue = queue;
    this.#sockets = sockets;
  }

  async connect(host: string, port: number, signal: AbortSignal): Promise<RawStream> {
    const { address, ipv6 } = await resolveHost(host, 'connect');
    if (signal.aborted) throw signal.reason;
    const sockets = this.#sockets;
    const fd = openSocket(sockets, ipv6);
    const sockaddr = encodeSockaddr(address, port);
    const res = await new Promise<number>((resolve, reject) => {
      let aborted = false;
      const pending: Pending = {
        userData: 0,
        complete: (res) => {
          signal.removeEventListener('abort', onAbort);
          if (aborted) {
            // Rejected already; the socket is released now that the kernel is done with it.
            sockets.socketResetClose(fd);
            return;
          }
          resolve(res);
        },
      };
      const onAbort = (): void => {
        aborted = true;
        this.#queue.cancel(pending);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.cmd.connect(pending, fd, sockaddr);
    });
    if (res < 0) {
      sockets.socketResetClose(fd);
      throw MfioError.fromErrno(res, { syscall: 'connect' });
    }
    sockets.socketNoDelay(fd);
    return new NativeStream(this.#queue, sockets, fd);
  }

  async listen(host: string, port: number, backlog: number): Promise<RawListener> {
    const { address, ipv6 } = await resolveHost(host, 'listen');
    const fd = openSocket(this.#sockets, ipv6);
    const rc = this.#sockets.socketListen(fd, encodeSockaddr(address, port), backlog);
    if (rc < 0) {
      this.#sockets.socketResetClose(fd);
      throw MfioError.fromErrno(rc, { syscall: 'listen' });
    }
    return new NativeListener(this.#queue, this.#sockets, fd);
  }
}

/** A listening socket with one ACCEPT always in flight; connections queue until accepted. */
class NativeListener implements RawListener {
  readonly #queue: NativeQueue;
  readonly #sockets: NativeSockets;
  readonly #fd: number;
  readonly #address: SocketAddress;
  readonly #connections = new AcceptQueue();
  #accept: Pending | null = null;
  #closing = false;
  #acceptDone: (() => void) | null = null;

  constructor(queue: NativeQueue, sockets: NativeSockets, fd: number) {
    this.#queue = queue;
    this.#sockets = sockets;
    this.#fd = fd;
    this.#address = socketAddress(sockets, fd, false);
    this.#arm();
  }

  accept(): Promise<RawStream> {
    return this.#connections.accept();
  }

  localAddress(): SocketAddress {
    return this.#address;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#connections.fail(systemError('ECANCELED', { syscall: 'accept' }));
    if (this.#accept !== null) {
      const done = new Promise<void>((resolve) => (this.#acceptDone = resolve));
      this.#queue.cancel(this.#accept);
      await done;
    }
    this.#sockets.socketResetClose(this.#fd);
    await this.#connections.resetUnaccepted();
  }

  #arm(): void {
    const accept: Pending = { userData: 0, complete: (res) => this.#onAccept(res) };
    this.#accept = accept;
    this.#queue.cmd.accept(accept, this.#fd);
  }

  #onAccept(res: number): void {
    this.#accept = null;
    if (res >= 0) {
      if (this.#closing) {
        this.#sockets.socketResetClose(res);
      } else {
        this.#sockets.socketNoDelay(res);
        this.#connections.push(new NativeStream(this.#queue, this.#sockets, res));
      }
    } else if ((res === -ECONNABORTED || res === -ECONNRESET) && !this.#closing) {
      // A connection reset before it was accepted (Linux says ECONNABORTED, IOCP's AcceptEx
      // ECONNRESET): nobody's accept fails for it, as with Node's own servers; take the next.
      this.#arm();
      return;
    } else if (res !== -ECANCELED && !this.#closing) {
      // EMFILE and friends: tell the waiting accepts; try again on the next turn, not in a hot loop.
      this.#connections.fail(MfioError.fromErrno(res, { syscall: 'accept' }), false);
      setImmediate(() => this.#closing || this.#accept !== null || this.#arm());
      return;
    }
    if (this.#closing) {
      this.#acceptDone?.();
      return;
    }
    this.#arm();
  }
}
