import { Agent, request } from 'node:http';
import type { FileHandle } from '@mfio/rt';
import { NetFs } from '@mfio/netfs';
import { readManyPlainRun, readManyRun, windowed, windowedPlain } from './contenders.js';
import { peerContenders } from './peers/peer-contenders.js';
import type { RemoteContender } from './remote-contender.js';
import type { Target } from './peers/peer-server.js';

export type { Target } from './peers/peer-server.js';
export type { RemoteContender } from './remote-contender.js';

/** The sample file on a netfs server, and how to let go of it. */
async function openNetfs(target: Target): Promise<{ handle: FileHandle; close: () => Promise<void> }> {
  const fs = await NetFs.connect({ host: target.host, port: target.port });
  return { handle: await fs.open(target.path), close: () => fs.close() };
}

/** netfs `readAt`, one promise per read, `inFlight` at a time on one connection. */
function netfsReadAt(backend: string): RemoteContender {
  return {
    name: `netfs:${backend}:readAt`,
    server: 'netfs',
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
    server: 'netfs',
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
    server: 'netfs',
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
    server: 'netfs',
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

/**
 * HTTP range requests over `sockets` keep-alive connections, one request on each at a time.
 * `http:range:N` is the same with as many connections as the case has reads in flight.
 */
function httpRange(sockets: number | 'N'): RemoteContender {
  return {
    name: sockets === 1 ? 'http:range' : `http:range:${sockets}`,
    server: 'http',
    window: (inFlight) => (sockets === 'N' ? inFlight : sockets),
    async open(target, inFlight) {
      const n = sockets === 'N' ? inFlight : sockets;
      const agent = new Agent({ keepAlive: true, maxSockets: n });
      return {
        run: (positions, size, digest) =>
          windowed(positions, size, n, digest, (position, buffer) => getRange(agent, target, position, buffer.subarray(0, size))),
        close: () => agent.destroy(),
      };
    },
  };
}

/** The netfs contenders for a server reading with `backend`, in report order: each tuned one, then its `:plain` twin. */
export function netfsContenders(backend: string): RemoteContender[] {
  return [netfsReadAt(backend), netfsReadAtPlain(backend), netfsReadMany(backend), netfsReadManyPlain(backend)];
}

/**
 * HTTP range requests one at a time, six at a time (a browser's connections per host) and, with
 * `sameInFlight`, N at a time (`http:range:N`, the reads in flight of netfs and the peers).
 */
export function httpContenders(sameInFlight = false): RemoteContender[] {
  return [httpRange(1), httpRange(6), ...(sameInFlight ? [httpRange('N')] : [])];
}

/**
 * The contenders of the real peers in report order: Samba, NFS-Ganesha, sshfs and HTTP range
 * requests, each with N reads in flight.
 */
export function peerRemoteContenders(): RemoteContender[] {
  return [...peerContenders(), httpRange('N')];
}

/** The remote contender called `name`; netfs names carry the server's backend. */
export function remoteContender(name: string): RemoteContender | undefined {
  const backend = /^netfs:([^:]+):/.exec(name)?.[1];
  return [...(backend ? netfsContenders(backend) : []), ...httpContenders(true), ...peerContenders()].find((c) => c.name === name);
}
