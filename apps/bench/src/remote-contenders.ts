import { Agent, request } from 'node:http';
import type { FileHandle } from '@mfio/rt';
import { NetFs } from '@mfio/netfs';
import { readManyPlainRun, readManyRun, windowed, windowedPlain, type Session } from './contenders.js';

/** Where a remote contender connects: the server itself, or a delay proxy in front of it. */
export interface Target {
  host: string;
  port: number;
  /** The file on the server: its name for netfs, the URL path for HTTP. */
  path: string;
}

/** A contender that reads the sample file from a server on this machine. */
export interface RemoteContender {
  /**
   * e.g. `netfs:io_uring:readAt` (the server's backend in the middle), `netfs:io_uring:readAt:plain`
   * (the library's buffers) or `http:range:6`.
   */
  name: string;
  /** Reads in flight: the case's inFlight for netfs, 1 or 6 for HTTP. */
  window(inFlight: number): number;
  open(target: Target, inFlight: number): Promise<Session>;
}

/** The sample file on a netfs server, and how to let go of it. */
async function openNetfs(target: Target): Promise<{ handle: FileHandle; close: () => Promise<void> }> {
  const fs = await NetFs.connect({ host: target.host, port: target.port });
  return { handle: await fs.open(target.path), close: () => fs.close() };
}

/** netfs `readAt`, one promise per read, `inFlight` at a time on one connection. */
function netfsReadAt(backend: string): RemoteContender {
  return {
    name: `netfs:${backend}:readAt`,
    window: (inFlight) => inFlight,
    async open(target, inFlight) {
      const { handle, close } = await openNetfs(target);
      return { run: (positions, size, digest) => windowed(positions, size, inFlight, digest, (position, buffer) => handle.readAt(position, buffer)), close };
    },
  };
}

/** netfs `readAt` as users write it: a new Buffer from the library per read, `inFlight` at a time. */
function netfsReadAtPlain(backend: string): RemoteContender {
  return {
    name: `netfs:${backend}:readAt:plain`,
    window: (inFlight) => inFlight,
    async open(target, inFlight) {
      const { handle, close } = await openNetfs(target);
      return { run: (positions, size, digest) => windowedPlain(positions, inFlight, digest, (position) => handle.readAt(position, size)), close };
    },
  };
}

/** netfs `readMany`: batches as large as the mfio contenders', one await each. */
function netfsReadMany(backend: string): RemoteContender {
  return {
    name: `netfs:${backend}:readMany`,
    window: (inFlight) => inFlight,
    async open(target, inFlight) {
      const { handle, close } = await openNetfs(target);
      return { run: readManyRun(handle, inFlight), close };
    },
  };
}

/** netfs `readMany` with no `into`: the same batches, each buffer allocated by the library. */
function netfsReadManyPlain(backend: string): RemoteContender {
  return {
    name: `netfs:${backend}:readMany:plain`,
    window: (inFlight) => inFlight,
    async open(target, inFlight) {
      const { handle, close } = await openNetfs(target);
      return { run: readManyPlainRun(handle, inFlight), close };
    },
  };
}

/** One HTTP range request into `into`; resolves with the bytes received. */
function getRange(agent: Agent, target: Target, position: number, into: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { range: `bytes=${position}-${position + into.length - 1}` };
    const req = request({ agent, host: target.host, port: target.port, path: target.path, headers }, (response) => {
      let n = 0;
      response.on('data', (chunk: Buffer) => (n += chunk.copy(into, n)));
      response.on('end', () => (response.statusCode === 206 ? resolve(n) : reject(new Error(`HTTP ${response.statusCode}`))));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** HTTP range requests over `sockets` keep-alive connections, one request on each at a time. */
function httpRange(sockets: number): RemoteContender {
  return {
    name: sockets === 1 ? 'http:range' : `http:range:${sockets}`,
    window: () => sockets,
    async open(target) {
      const agent = new Agent({ keepAlive: true, maxSockets: sockets });
      return {
        run: (positions, size, digest) =>
          windowed(positions, size, sockets, digest, (position, buffer) => getRange(agent, target, position, buffer.subarray(0, size))),
        close: () => agent.destroy(),
      };
    },
  };
}

/** The netfs contenders for a server reading with `backend`, in report order: each tuned one, then its `:plain` twin. */
export function netfsContenders(backend: string): RemoteContender[] {
  return [netfsReadAt(backend), netfsReadAtPlain(backend), netfsReadMany(backend), netfsReadManyPlain(backend)];
}

/** HTTP range requests one at a time and six at a time (a browser's connections per host). */
export function httpContenders(): RemoteContender[] {
  return [httpRange(1), httpRange(6)];
}

/** The remote contender called `name`; netfs names carry the server's backend. */
export function remoteContender(name: string): RemoteContender | undefined {
  const backend = /^netfs:([^:]+):/.exec(name)?.[1];
  return [...(backend ? netfsContenders(backend) : []), ...httpContenders()].find((c) => c.name === name);
}
