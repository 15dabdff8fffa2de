import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A userspace TCP proxy on 127.0.0.1 that holds every chunk for `delayMs` before passing it on,
 * in each direction: a round trip through it costs at least twice the delay, as over a WAN link
 * with that one-way latency (without its bandwidth limit or loss). Chunks keep their order:
 * timers of the same duration fire in the order they were set.
 */
export class DelayProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listen on a free loopback port, forwarding each connection to `target` (loopback too). */
  static async start(target: { host: string; port: number }, delayMs: number): Promise<DelayProxy> {
    if (!/^127\.|^localhost$|^::1$/.test(target.host)) throw new Error(`the delay proxy forwards to loopback only, not ${target.host}`);
    const proxy: DelayProxy = new DelayProxy(
      createServer({ noDelay: true }, (client) => {
        const upstream = connect({ host: target.host, port: target.port, noDelay: true });
        proxy.#track(client);
        proxy.#track(upstream);
        pipeDelayed(client, upstream, delayMs);
        pipeDelayed(upstream, client, delayMs);
      }),
    );
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  /** Where clients connect. */
  address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: (this.#server.address() as AddressInfo).port };
  }

  /** Stop listening and cut every connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}

/** Forward `from`'s bytes to `to` `delayMs` later; an end or an error passes on after the same delay. */
function pipeDelayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayMs));
  from.on('end', () => setTimeout(() => to.destroyed || to.end(), delayMs));
  from.on('error', () => setTimeout(() => to.destroy(), delayMs));
  from.on('close', () => setTimeout(() => to.destroy(), delayMs + 1));
}
