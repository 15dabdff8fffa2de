import { Agent, request } from 'node:http';
import { alignedBuffer } from '@mfio/rt';
import { NetFs } from '@mfio/netfs';
import type { ReadDigest } from './checksum.js';
import { batchReads, type Session } from './contenders.js';

/** Where a remote contender connects: the server itself, or a delay proxy in front of it. */
export interface Target {
  host: string;
  port: number;
  /** The file on the server: its name for netfs, the URL path for HTTP. */
  path: string;
}

/** A contender that reads the sample file from a server on this machine. */
export interface RemoteContender {
  /** e.g. `netfs:io_uring:readAt` (the server's backend in the middle) or `http:range:6`. */
  name: string;
  /** Reads in flight: the case's inFlight for netfs, 1 or 6 for HTTP. */
  window(inFlight: number): number;
  open(target: Target, inFlight: number): Promise<Session>;
}

/** Run `positions` through `read` keeping `window` of them going, each with its own buffer. */
async function windowed(positions: Float64Array, size: number, window: number, digest: ReadDigest, read: (position: number, buffer: Buffer) => Promise<number>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    const buffer = alignedBuffer(size);
    while (next < positions.length) {
      const i = next++;
      digest.add(i, buffer, await read(positions[i]!, buffer));
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, positions.length) }, worker));
}

/**
 * Close a NetFs, holding the event loop open meanwhile: its idle socket is unref'd and its
 * close() does not ref it again, so a process with nothing else to do would exit before the
 * close settled (and before printing its result).
 */
async function closeNetFs(fs: NetFs): Promise<void> {
  const hold = setTimeout(() => undefined, 5000);
  try {
    await fs.close();
  } finally {
    clearTimeout(hold);
  }
}

/** netfs `readAt`, one promise per read, `inFlight` at a time on one connection. */
function netfsReadAt(backend: string): RemoteContender {
  return {
    name: `netfs:${backend}:readAt`,
    window: (inFlight) => inFlight,
    async open(target, inFlight) {
      const fs = await NetFs.connect({ host: target.host, port: target.port });
      const handle = await fs.open(target.path);
      return {
        run: (positions, size, digest) => windowed(positions, size, inFlight, digest, (position, buffer) => handle.readAt(position, buffer)),
        close: () => closeNetFs(fs),
      };
    },
  };
}

/** netfs `readMany`: batches as large as the mfio contenders', one await each. */
function netfsReadMany(backend: string): RemoteContender {
  return {
    name: `netfs:${backend}:readMany`,
    window: (inFlight) => inFlight,
    async open(target, inFlight) {
      const fs = await NetFs.connect({ host: target.host, port: target.port });
      const handle = await fs.open(target.path);
      let into: Buffer = Buffer.alloc(0);
      return {
        async run(positions, size, digest) {
          const batch = Math.min(positions.length, batchReads(size, inFlight));
          if (into.length < batch * size) into = alignedBuffer(batch * size);
          for (let start = 0; start < positions.length; start += batch) {
            const slice = positions.subarray(start, Math.min(start + batch, positions.length));
            const result = await handle.readMany({ positions: slice, lengths: size }, { into });
            for (let i = 0; i < slice.length; i++) digest.add(start + i, result.buffer, result.lengths[i]!, result.offsets[i]!);
          }
        },
        close: () => closeNetFs(fs),
      };
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
        run: (positions, size, digest) => windowed(positions, size, sockets, digest, (position, buffer) => getRange(agent, target, position, buffer.subarray(0, size))),
        close: () => agent.destroy(),
      };
    },
  };
}

/** The netfs contenders for a server reading with `backend`, in report order. */
export function netfsContenders(backend: string): RemoteContender[] {
  return [netfsReadAt(backend), netfsReadMany(backend)];
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
