import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { DEFAULT_LIMITS, NetFs } from '../src/index.js';
import { FrameType as T } from '../src/protocol/constants.js';
import { decodeRequest } from '../src/protocol/decode.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { FrameReader } from '../src/protocol/frame-reader.js';
import { serverProof } from '../src/protocol/handshake.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { HANG_MS, describeInFlight, until, within } from './support/servers.js';

describe('when the server goes away', () => {
  let root: string;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mfio-netfs-death-'));
    await writeFile(join(root, 'big'), Buffer.alloc(32 << 20, 0x5a));
  });
  afterAll(async () => {
    await server?.kill();
    await rm(root, { recursive: true, force: true });
  });

  test('killed mid-read: every request in flight rejects with ECONNRESET (no timeout set: the client sees the death), and every later call too', async () => {
    server = await startServerProcess(['--root', root, '--log-level', 'info']);
    const fs = await NetFs.connect({ port: server.port });
    const file = await fs.open('big');
    let settled = 0;
    // 256 MiB asked for: far more than loopback moves before the kill.
    const reads = Array.from({ length: 256 }, (_, i) => file.readAt((i % 32) << 20, 1 << 20).finally(() => settled++));
    const outcomes = Promise.allSettled(reads);
    await reads[0]; // the server is streaming answers
    const inFlight = reads.length - settled;
    expect(inFlight).toBeGreaterThan(0);
    server.child.kill('SIGKILL');
    // No request timeout is set: without noticing the death itself the client would wait forever.
    const results = await within(outcomes, HANG_MS, 'the reads in flight', () => describeInFlight(fs));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'ECONNRESET' });
    for (const r of results) if (r.status === 'fulfilled') expect(r.value.equals(Buffer.alloc(1 << 20, 0x5a))).toBe(true);
    expect(fs.connected).toBe(false);
    await expect(file.readAt(0, 16)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(fs.currentDir().metadata('big')).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(fs.open('big')).rejects.toMatchObject({ code: 'ECONNRESET' });
    await within(fs.close(), HANG_MS, 'closing the client after the server died', () => describeInFlight(fs));
  });

  test('a request timeout fails an unanswered request with ETIMEDOUT; its late answer is ignored', async () => {
    // A peer that completes the handshake, then holds every answer until told to send it.
    const held: Array<{ id: number; type: number }> = [];
    const sockets: Socket[] = [];
    const stalled = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      const reader = new FrameReader(1 << 20);
      const nonce = Buffer.alloc(32, 3);
      let clientNonce: Uint8Array = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (let f = reader.next(); f !== null; f = reader.next()) {
          const m = decodeRequest(f, { maxRead: 1 << 20 });
          if (m.type === T.HELLO) {
            clientNonce = Buffer.from(m.nonce);
            socket.write(encodeMessage({ type: T.CHALLENGE, id: 0, version: 1, features: 0, nonce, ...DEFAULT_LIMITS }));
          } else if (m.type === T.AUTH) {
            socket.write(encodeMessage({ type: T.WELCOME, id: 0, proof: serverProof('', clientNonce, nonce) }));
          } else {
            held.push({ id: m.id, type: m.type });
          }
        }
      });
    }).listen(0, '127.0.0.1');
    try {
      await once(stalled, 'listening');
      const fs = await NetFs.connect({ port: (stalled.address() as AddressInfo).port, requestTimeout: 200 });
      // The peer never answers: only the 200 ms timeout ends the request (a hang otherwise).
      await within(expect(fs.currentDir().metadata('x')).rejects.toMatchObject({ code: 'ETIMEDOUT' }), HANG_MS, 'the timeout');
      expect(held).toHaveLength(1);
      // The late answer arrives: dropped, and the connection carries on.
      sockets[0]!.write(encodeMessage({ type: T.ERROR, id: held[0]!.id, code: 'ENOENT' }));
      const next = fs
        .currentDir()
        .metadata('y')
        .catch((e: { code: string }) => e.code);
      await until(() => held.length === 2, HANG_MS, 'the second request at the peer');
      expect(fs.connected).toBe(true);
      sockets[0]!.write(encodeMessage({ type: T.ERROR, id: held[1]!.id, code: 'ENOENT' }));
      expect(await next).toBe('ENOENT');
      await fs.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });
});
