import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MfioErrorCode } from '@mfio/core';
import { NetFs } from '@mfio/netfs';
import { createFileOn } from './create-file.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import type { Connection, Restartable, SoakTarget } from './target.js';

/**
 * How long a server may take to start, or to stop on SIGTERM: it starts in well under a second,
 * but a loaded two-core machine (load 13 seen) took 20 s.
 */
const SERVER_START_MS = 60_000;
const SERVER_STOP_MS = 10_000;

/**
 * `mfio-netfs-server` over one backend, in a child process (so it can be killed mid-request),
 * reached through `connections` client connections at once. `onUnexpectedExit` hears of a
 * server that exits without being told to.
 */
export class NetfsTarget implements SoakTarget, Restartable {
  readonly name: string;
  readonly writable = true;
  readonly resetCodes: readonly MfioErrorCode[] = ['ECONNRESET'];
  readonly #backend: string;
  readonly #root: string;
  readonly #count: number;
  readonly #onUnexpectedExit: (why: string) => void;
  #server: ServerProcess | null = null;
  #clients: NetFs[] = [];
  #generation = 0;
  /** Set when the soak kills or stops the server, so its exit is not reported. */
  #expectingExit = false;

  constructor(backend: string, workDir: string, connections: number, onUnexpectedExit: (why: string) => void) {
    this.name = `netfs:${backend}`;
    this.#backend = backend;
    this.#root = join(workDir, this.name.replace(':', '-'));
    this.#count = connections;
    this.#onUnexpectedExit = onUnexpectedExit;
  }

  get restartable(): Restartable {
    return this;
  }

  async start(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    await this.#startServer();
  }

  pid(): number | undefined {
    return this.#server?.pid;
  }

  connections(): readonly Connection[] {
    const generation = this.#generation;
    return this.#clients.map((fs) => ({ fs, generation }));
  }

  createFile(name: string, content: Uint8Array): Promise<void> {
    return createFileOn(this.#clients[0]!, name, content);
  }

  async kill(): Promise<void> {
    const server = this.#server;
    this.#expectingExit = true;
    await server?.kill();
    this.#server = null;
  }

  async revive(): Promise<void> {
    // The old clients saw the reset; closing them releases their sockets (and fails nothing new).
    await Promise.all(this.#clients.map((c) => c.close()));
    this.#clients = [];
    this.#generation++;
    await this.#startServer();
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.close()));
    this.#clients = [];
    const server = this.#server;
    this.#expectingExit = true;
    this.#server = null;
    await server?.stop(SERVER_STOP_MS);
  }

  async #startServer(): Promise<void> {
    const server = await startServerProcess(this.#root, this.#backend, SERVER_START_MS);
    this.#expectingExit = false;
    this.#server = server;
    void server.exited.then((code) => {
      if (this.#server === server && !this.#expectingExit) {
        this.#onUnexpectedExit(`${this.name}: the server (pid ${server.pid}) exited by itself (${code}):\n${server.log.join('\n')}`);
      }
    });
    const clients: NetFs[] = [];
    try {
      for (let i = 0; i < this.#count; i++) clients.push(await NetFs.connect({ host: '127.0.0.1', port: server.port }));
    } catch (error) {
      await Promise.all(clients.map((c) => c.close()));
      throw error;
    }
    this.#clients = clients;
  }
}
