import { createServer, connect, type Server } from 'node:net';
import type { IoBackend } from '@mfio/core';
import { fromNodeError, systemError } from '../../errors.js';
import { AcceptQueue } from '../../net/accept-queue.js';
import type { RawListener, RawStream, SocketAddress, TcpDriver } from '../../net/driver.js';
import { LibuvStream } from './libuv-stream.js';

/**
 * TCP on libuv's epoll/kqueue/IOCP loop through `node:net`. Sockets are half-open capable
 * (`allowHalfOpen`), so a peer's FIN ends our reads but not our writes, as with a raw socket.
 */
export class LibuvTcpDriver implements TcpDriver {
  readonly backend: IoBackend;

  constructor(backend: IoBackend) {
    this.backend = backend;
  }

  connect(host: string, port: number, signal: AbortSignal): Promise<RawStream> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const socket = connect({ host, port, allowHalfOpen: true });
      const onAbort = (): void => {
        socket.destroy();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(fromNodeError(error, { syscall: 'connect' }));
      });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve(new LibuvStream(socket));
      });
    });
  }

  listen(host: string, port: number, backlog: number): Promise<RawListener> {
    return new Promise((resolve, reject) => {
      const server = createServer({ allowHalfOpen: true });
      server.once('error', (error) => reject(fromNodeError(error, { syscall: 'listen' })));
      server.listen({ host, port, backlog }, () => {
        server.removeAllListeners('error');
        resolve(new LibuvListener(server));
      });
    });
  }
}

/** A `net.Server` as a {@link RawListener}: connections queue until accepted. */
class LibuvListener implements RawListener {
  readonly #server: Server;
  readonly #address: SocketAddress;
  readonly #connections = new AcceptQueue();

  constructor(server: Server) {
    this.#server = server;
    const address = server.address();
    this.#address =
      typeof address === 'object' && address !== null
        ? { address: address.address, port: address.port, family: address.family === 'IPv6' ? 'IPv6' : 'IPv4' }
        : { address: String(address), port: 0, family: 'IPv4' };
    server.on('connection', (socket) => this.#connections.push(new LibuvStream(socket)));
    server.on('error', (error) => this.#connections.fail(fromNodeError(error, { syscall: 'accept' })));
  }

  accept(): Promise<RawStream> {
    return this.#connections.accept();
  }

  localAddress(): SocketAddress {
    return this.#address;
  }

  async close(): Promise<void> {
    this.#connections.fail(systemError('ECANCELED', { syscall: 'accept' }));
    // server.close's callback waits for accepted connections too; those are not ours to wait for.
    await new Promise<void>((resolve) => {
      this.#server.close();
      setImmediate(resolve);
    });
    await this.#connections.resetUnaccepted();
  }
}
