import { open, type FileHandle } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';

/**
 * A `node:http` server of one file on 127.0.0.1 that answers `Range: bytes=a-b` requests with
 * 206 and exactly those bytes, keeping connections alive: the usual way to read parts of a
 * remote file, which the latency mode sets netfs against.
 */
export class RangeServer {
  readonly #server: Server;
  readonly #handle: FileHandle;
  /** The URL path the file is served at. */
  readonly path: string;

  private constructor(server: Server, handle: FileHandle, path: string) {
    this.#server = server;
    this.#handle = handle;
    this.path = path;
  }

  /** Serve `file` at `/<its name>` on a free loopback port. */
  static async start(file: string): Promise<RangeServer> {
    const handle = await open(file, 'r');
    const size = (await handle.stat()).size;
    const path = `/${encodeURIComponent(basename(file))}`;
    const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
      const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
      if (request.url !== path || request.method !== 'GET') return void response.writeHead(404).end();
      const start = range ? Number(range[1]) : 0;
      const end = range ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end || start >= size) return void response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      const body = Buffer.allocUnsafe(end - start + 1);
      handle.read(body, 0, body.length, start).then(
        ({ bytesRead }) => {
          response.writeHead(range ? 206 : 200, {
            'content-length': bytesRead,
            'content-type': 'application/octet-stream',
            ...(range ? { 'content-range': `bytes ${start}-${start + bytesRead - 1}/${size}` } : {}),
          });
          response.end(body.subarray(0, bytesRead));
        },
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new RangeServer(server, handle, path);
  }

  /** Where clients connect. */
  address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: (this.#server.address() as AddressInfo).port };
  }

  /** Cut every connection, stop listening and close the file. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.#handle.close();
  }
}
