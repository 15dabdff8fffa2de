import { readdir, readFile, readlink, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@mfio/core';
import { NetFs } from '../src/index.js';
import { FrameType as T } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { RawClient } from './support/raw-client.js';
import { selfSignedCertificate } from './support/self-signed.js';
import { HANG_MS, startServer, within, type TestServer } from './support/servers.js';

/** File descriptors of this process (where the server runs) open on `path`. */
async function descriptorsOn(path: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === path) n++;
  return n;
}

describe('client and server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ token: 'sesame' });
  });
  afterAll(() => s.close());

  test('write, read back in place, list, metadata, remove', async () => {
    const fs = await NetFs.connect({ port: s.port, token: 'sesame' });
    try {
      const file = await fs.open('hello.txt', { read: true, write: true, create: true });
      await file.writeAllAt(0, 'hello, netfs');
      expect((await file.readAt(7, 5)).toString()).toBe('netfs');
      expect((await file.metadata()).len).toBe(12);
      await file.close();
      expect(await readFile(join(s.root, 'hello.txt'), 'utf8')).toBe('hello, netfs');
      const names: string[] = [];
      for await (const entry of fs.currentDir().readDir()) names.push(`${entry.name}:${entry.type}`);
      expect(names).toEqual(['hello.txt:file']);
      await fs.currentDir().removeFile('hello.txt');
      await expect(fs.currentDir().metadata('hello.txt')).rejects.toMatchObject({ code: 'ENOENT', path: '/hello.txt' });
    } finally {
      await fs.close();
    }
  });

  test('empty reads and writes complete without a request; paths the protocol cannot carry are rejected, not sent', async () => {
    const fs = await NetFs.connect({ port: s.port, token: 'sesame' });
    try {
      const file = await fs.open('empty-io', { read: true, write: true, create: true });
      expect(await file.readAt(0, Buffer.alloc(0))).toBe(0);
      expect(await file.writeAt(0, Buffer.alloc(0))).toBe(0);
      await expect(fs.open('x'.repeat(5000))).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
      await expect(fs.open('bad-\ud800')).rejects.toMatchObject({ code: 'EINVAL' });
      expect(fs.connected).toBe(true);
      await file.close();
    } finally {
      await fs.close();
    }
  });

  test('a read larger than a frame arrives in fragments, each landing in the caller buffer', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
    await writeFile(join(s.root, 'big.bin'), data);
    const fs = await NetFs.connect({ port: s.port, token: 'sesame' });
    try {
      const file = await fs.open('big.bin');
      const buffer = Buffer.alloc(data.length + 100);
      expect(await file.readAt(0, buffer)).toBe(data.length); // short at end of file
      expect(buffer.subarray(0, data.length).equals(data)).toBe(true);
      expect((await file.readToEnd()).equals(data)).toBe(true);
      await file.close();
    } finally {
      await fs.close();
    }
  });

  test('2,000 reads of 1 B to 300 KiB, 64 in flight, arrive byte for byte through the reused receive buffer', async () => {
    const data = new SeededRandom(18).bytes(4 << 20);
    await writeFile(join(s.root, 'many.bin'), data);
    const fs = await NetFs.connect({ port: s.port, token: 'sesame' });
    try {
      const file = await fs.open('many.bin');
      const random = new SeededRandom(19);
      const reads = Array.from({ length: 2000 }, () => {
        const length = random.int(4) === 0 ? random.range(1, 300 << 10) : random.range(1, 70 << 10);
        return { position: random.int(data.length - length), length };
      });
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < reads.length) {
            const { position, length } = reads[next++]!;
            const got = await file.readAt(position, length);
            if (!got.equals(data.subarray(position, position + length))) throw new Error(`wrong bytes at ${position} (${length})`);
          }
        }),
      );
      await file.close();
    } finally {
      await fs.close();
    }
  });

  test('a wrong token is refused with EACCES; no token at all too', async () => {
    await expect(NetFs.connect({ port: s.port, token: 'open' })).rejects.toMatchObject({ code: 'EACCES' });
    await expect(NetFs.connect({ port: s.port })).rejects.toMatchObject({ code: 'EACCES' });
    expect(s.server.connections).toBeLessThanOrEqual(1);
  });

  test('nothing listening: ECONNREFUSED', async () => {
    const other = await startServer();
    const port = other.port;
    await other.close();
    await expect(NetFs.connect({ port })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('a server refuses a non-loopback address without a token', async () => {
    const { NetFsServer } = await import('../src/index.js');
    const { NativeRt } = await import('@mfio/rt');
    const rt = NativeRt.builder().libuv().build();
    try {
      await expect(NetFsServer.start({ fs: rt, root: tmpdir(), host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    } finally {
      await rt.close();
    }
  });

  test('a server on a port in use fails to start with EADDRINUSE; the one there serves on', async () => {
    const { NetFsServer } = await import('../src/index.js');
    const { NativeRt } = await import('@mfio/rt');
    const rt = NativeRt.builder().libuv().build();
    try {
      await expect(NetFsServer.start({ fs: rt, root: tmpdir(), port: s.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await rt.close();
    }
    const fs = await NetFs.connect({ port: s.port, token: 'sesame' });
    expect((await fs.currentDir().metadata('/')).type).toBe('dir');
    await fs.close();
  });

  test('a read-only server refuses changes with EROFS and still serves reads', async () => {
    const ro = await startServer({ readOnly: true });
    try {
      await writeFile(join(ro.root, 'f'), 'data');
      const fs = await NetFs.connect({ port: ro.port });
      try {
        expect(fs.readOnly).toBe(true);
        await expect(fs.open('g', { write: true, create: true })).rejects.toMatchObject({ code: 'EROFS' });
        await expect(fs.currentDir().createDir('d')).rejects.toMatchObject({ code: 'EROFS' });
        await expect(fs.currentDir().removeFile('f')).rejects.toMatchObject({ code: 'EROFS' });
        const file = await fs.open('f');
        expect((await file.readToEnd()).toString()).toBe('data');
        await file.close();
      } finally {
        await fs.close();
      }
    } finally {
      await ro.close();
    }
  });

  test('the server releases the handles of a client that leaves without closing them', async () => {
    await writeFile(join(s.root, 'held'), 'x');
    const host = join(await realpath(s.root), 'held');
    const client = await RawClient.connect(s.port, 'sesame');
    for (let id = 1; id <= 20; id++) {
      client.send(encodeMessage({ type: T.OPEN_FILE, id, flags: 1, path: '/held' }));
      expect(await client.next()).toMatchObject({ type: T.HANDLE, id });
    }
    expect(await descriptorsOn(host)).toBe(20);
    client.socket.destroy(); // gone, handles and all
    await within(
      (async () => {
        while ((await descriptorsOn(host)) > 0) await new Promise((r) => setTimeout(r, 10));
      })(),
      HANG_MS,
      'the server releasing the handles',
    );
  });

  test('server.close lets the requests in flight finish, then the client sees ECONNRESET', async () => {
    const g = await startServer();
    try {
      const data = Buffer.alloc(4 << 20, 0x33);
      await writeFile(join(g.root, 'f'), data);
      const fs = await NetFs.connect({ port: g.port });
      const file = await fs.open('f');
      const reads = Array.from({ length: 32 }, () => file.readAt(0, data.length));
      await reads[0]; // the server has taken them all (32 < maxInFlight) and is answering
      // The grace covers a loaded machine: the test is that the reads finish, not how fast.
      await within(g.server.close(HANG_MS), 2 * HANG_MS, 'server.close');
      const settled = await Promise.allSettled(reads);
      expect(settled.map((r) => (r.status === 'fulfilled' ? r.value.equals(data) : String(r.reason)))).toEqual(reads.map(() => true));
      await expect(file.readAt(0, 1)).rejects.toMatchObject({ code: 'ECONNRESET' });
      await fs.close();
    } finally {
      await g.close();
    }
  });

  test('TLS with a self-signed certificate, and the token inside it', async () => {
    const { cert: pem, key } = await selfSignedCertificate();
    const t = await startServer({ token: 'tls-token', tls: { cert: pem, key } });
    try {
      const fs = await NetFs.connect({ port: t.port, token: 'tls-token', tls: { ca: pem } });
      const file = await fs.open('x', { write: true, read: true, create: true });
      await file.writeAllAt(0, 'over tls');
      expect((await file.readToEnd()).toString()).toBe('over tls');
      await fs.close();
      // The FATAL of a failed handshake still arrives, though its socket is destroyed at once.
      await expect(NetFs.connect({ port: t.port, token: 'wrong', tls: { ca: pem } })).rejects.toMatchObject({ code: 'EACCES' });
      // A client that does not trust the certificate never gets to the handshake.
      await expect(NetFs.connect({ port: t.port, token: 'tls-token', tls: true })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      await t.close();
    }
  });
});
