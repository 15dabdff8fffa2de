import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NetFs } from '../src/index.js';
import { FrameType as T } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { clientProof } from '../src/protocol/handshake.js';
import { RawClient } from './support/raw-client.js';
import { HANG_MS, startServer, within, type TestServer } from './support/servers.js';

describe('handshake and idle timeouts', () => {
  // Their own server: a 1 s timeout on the others' server would close their connections
  // whenever a loaded machine stalls a case for a second.
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ handshakeTimeout: 1000, idleTimeout: 1000 });
    await writeFile(join(s.root, 'f'), Buffer.alloc(16, 2));
  });
  afterAll(() => s.close());

  test('a client that does not authenticate in time is closed with ETIMEDOUT', async () => {
    const client = await RawClient.connect(s.port);
    expect(await within(client.rest(), HANG_MS, 'the handshake timeout')).toEqual([expect.objectContaining({ type: T.FATAL, code: 'ETIMEDOUT' })]);
  });

  test('an idle connection is closed with ETIMEDOUT; the client then rejects with ECONNRESET', async () => {
    const fs = await NetFs.connect({ port: s.port });
    await within(
      (async () => {
        while (fs.connected) await new Promise((r) => setTimeout(r, 20));
      })(),
      HANG_MS,
      'the idle timeout',
    );
    await expect(fs.currentDir().metadata('f')).rejects.toMatchObject({ code: 'ECONNRESET', message: expect.stringContaining('ETIMEDOUT idle timeout') });
    await fs.close();
  });
});

describe('per-connection limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Timeouts only a hang reaches: the cases below are about the other limits.
    s = await startServer({
      limits: { maxHandles: 4, maxRead: 65536 },
      handshakeTimeout: HANG_MS,
      idleTimeout: HANG_MS,
      maxConnections: 3,
      maxPendingHandshakes: 4,
    });
    await writeFile(join(s.root, 'f'), Buffer.alloc(200_000, 2));
  });
  afterAll(() => s.close());

  test('open handles are capped per connection with EMFILE; closing one frees a slot', async () => {
    const fs = await NetFs.connect({ port: s.port });
    try {
      const files = await Promise.all(Array.from({ length: 4 }, () => fs.open('f')));
      await expect(fs.open('f')).rejects.toMatchObject({ code: 'EMFILE' });
      await files[0]!.close();
      await (await fs.open('f')).close();
    } finally {
      await fs.close();
    }
  });

  test('handles are also capped across connections: one client cannot take every descriptor', async () => {
    const budget = await startServer({ limits: { maxHandles: 4 }, maxServerHandles: 6 });
    const [a, b] = await Promise.all([NetFs.connect({ port: budget.port }), NetFs.connect({ port: budget.port })]);
    try {
      await writeFile(join(budget.root, 'f'), 'x');
      const held = await Promise.all(Array.from({ length: 4 }, () => a.open('f')));
      const other = await Promise.all([b.open('f'), b.open('f')]);
      // b is under its own 4, but the server holds its 6.
      await expect(b.open('f')).rejects.toMatchObject({ code: 'EMFILE' });
      await held[0]!.close();
      await (await b.open('f')).close();
      await Promise.all([...held.slice(1), ...other].map((file) => file.close()));
    } finally {
      await Promise.all([a.close(), b.close()]);
      await budget.close();
    }
  });

  test('reads over maxRead are split by the client; a raw READ over it is a protocol error', async () => {
    const fs = await NetFs.connect({ port: s.port });
    try {
      const file = await fs.open('f');
      expect((await file.readAt(0, 200_000)).equals(Buffer.alloc(200_000, 2))).toBe(true);
    } finally {
      await fs.close();
    }
    const raw = await RawClient.connect(s.port, '');
    raw.send(encodeMessage({ type: T.READ, id: 1, handle: 1, position: 0, length: 65537 }));
    expect(await within(raw.rest(), HANG_MS, 'the close')).toEqual([expect.objectContaining({ type: T.FATAL, code: 'EPROTO' })]);
  });

  test('a duplicate request id in flight and a second HELLO are violations', async () => {
    const raw = await RawClient.connect(s.port, '');
    raw.send(encodeMessage({ type: T.HELLO, id: 0, version: 1, features: 0, nonce: Buffer.alloc(32) }));
    expect(await within(raw.rest(), HANG_MS, 'the close')).toEqual([expect.objectContaining({ type: T.FATAL, code: 'EPROTO' })]);
    const dup = await RawClient.connect(s.port, '');
    // In one write, so the second arrives while the first is surely in flight.
    const open = encodeMessage({ type: T.OPEN_DIR, id: 5, path: '/' });
    dup.send(Buffer.concat([open, open]));
    expect((await within(dup.rest(), HANG_MS, 'the close')).at(-1)).toMatchObject({ type: T.FATAL, code: 'EPROTO' });
  });

  test('before authentication a frame over 256 bytes is refused with EMSGSIZE at its length field', async () => {
    const raw = await RawClient.connect(s.port);
    const head = Buffer.alloc(9);
    head.writeUInt32LE(4096, 0); // announces 4 KiB, sends only the header
    head.writeUInt8(T.HELLO, 4);
    raw.send(head);
    expect(await within(raw.rest(), HANG_MS, 'the close')).toEqual([expect.objectContaining({ type: T.FATAL, code: 'EMSGSIZE' })]);
  });

  test('a client speaking another version is refused with EPROTO', async () => {
    const raw = await RawClient.connect(s.port);
    raw.send(encodeMessage({ type: T.HELLO, id: 0, version: 2, features: 0, nonce: Buffer.alloc(32) }));
    expect(await within(raw.rest(), HANG_MS, 'the close')).toEqual([
      expect.objectContaining({ type: T.FATAL, code: 'EPROTO', message: expect.stringContaining('version 2') }),
    ]);
  });

  test('a HELLO or an AUTH whose request id is not 0 is refused with EPROTO', async () => {
    const nonce = Buffer.alloc(32, 7);
    const hello = await RawClient.connect(s.port);
    hello.send(encodeMessage({ type: T.HELLO, id: 1, version: 1, features: 0, nonce }));
    expect(await within(hello.rest(), HANG_MS, 'the close')).toEqual([
      expect.objectContaining({ type: T.FATAL, code: 'EPROTO', message: expect.stringContaining('id must be 0') }),
    ]);
    // A right proof does not make up for it.
    const auth = await RawClient.connect(s.port);
    auth.send(encodeMessage({ type: T.HELLO, id: 0, version: 1, features: 0, nonce }));
    const challenge = await within(auth.next(), HANG_MS, 'the challenge');
    if (challenge?.type !== T.CHALLENGE) throw new Error(`expected CHALLENGE, got ${JSON.stringify(challenge)}`);
    auth.send(encodeMessage({ type: T.AUTH, id: 2, proof: clientProof('', challenge.nonce, nonce) }));
    expect(await within(auth.rest(), HANG_MS, 'the close')).toEqual([
      expect.objectContaining({ type: T.FATAL, code: 'EPROTO', message: expect.stringContaining('id must be 0') }),
    ]);
  });

  test('authenticated connections beyond maxConnections are refused with EMFILE', async () => {
    const clients = await Promise.all([NetFs.connect({ port: s.port }), NetFs.connect({ port: s.port }), NetFs.connect({ port: s.port })]);
    try {
      await expect(NetFs.connect({ port: s.port })).rejects.toMatchObject({ code: 'EMFILE' });
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  test('strangers holding handshakes open cannot lock a client out: the oldest make room', async () => {
    const strangers = await Promise.all(Array.from({ length: 10 }, () => RawClient.connect(s.port)));
    try {
      const client = await NetFs.connect({ port: s.port });
      await client.close();
      // The first strangers were closed for the later ones (4 handshake slots), with EBUSY.
      expect(await within(strangers[0]!.rest(), HANG_MS, 'the eviction')).toEqual([expect.objectContaining({ type: T.FATAL, code: 'EBUSY' })]);
    } finally {
      for (const stranger of strangers) stranger.socket.destroy();
    }
  });
});
