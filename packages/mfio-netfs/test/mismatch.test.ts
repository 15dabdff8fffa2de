import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { createLogger, NetFs } from '../src/index.js';
import { selfSignedCertificate } from './support/self-signed.js';
import { HANG_MS, startServer, within, type TestServer } from './support/servers.js';

/** A server whose log lines are kept, to check what it says about each mistake. */
async function loggedServer(options: Parameters<typeof startServer>[0]): Promise<{ s: TestServer; lines: string[] }> {
  const lines: string[] = [];
  const s = await startServer({ ...options, log: createLogger('info', (line) => lines.push(line)) });
  return { s, lines };
}

// The usual mistakes of a user setting up a client, each with a message that names it, from a
// real server on 127.0.0.1.
describe('client and server that do not match', () => {
  describe('a TLS server', () => {
    let pem: { cert: Buffer; key: Buffer };
    let s: TestServer;
    let lines: string[];
    beforeAll(async () => {
      pem = await selfSignedCertificate();
      ({ s, lines } = await loggedServer({ token: 'tls-token', tls: pem }));
    });
    afterAll(() => s?.close());

    test('tells a plain client that TLS is expected (EPROTO), and logs one clear line', async () => {
      const error = await NetFs.connect({ port: s.port, token: 'tls-token' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'EPROTO', message: expect.stringContaining('this server expects TLS: connect with the tls option') });
      const line = lines.find((l) => l.includes('refused: not TLS'));
      expect(line).toMatch(/ warn 127\.0\.0\.1:\d+ refused: not TLS \(this server expects TLS; a netfs client connects with the tls option\)$/);
      expect(lines.join('\n')).not.toMatch(/SSL routines|wrong version number/);
    });

    test('still serves TLS clients, and logs a failed TLS handshake by its reason alone', async () => {
      const fs = await NetFs.connect({ port: s.port, token: 'tls-token', tls: { ca: pem.cert } });
      const file = await fs.open('t', { write: true, read: true, create: true });
      await file.writeAllAt(0, 'over tls');
      expect((await file.readToEnd()).toString()).toBe('over tls');
      await fs.close();
      // A client that does not trust the certificate aborts the handshake with an alert.
      await expect(NetFs.connect({ port: s.port, token: 'tls-token', tls: true })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      const line = await within(
        (async () => {
          for (;;) {
            const found = lines.find((l) => l.includes('TLS handshake failed'));
            if (found !== undefined) return found;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })(),
        HANG_MS,
        "the server's log line about the failed handshake",
      );
      // OpenSSL's reason (an alert) or the reset that ended the handshake: a few words, no raw
      // "error:0A000...:SSL routines:..." string. The peer is gone after a reset.
      expect(line).toMatch(/ warn (127\.0\.0\.1:\d+|a client): TLS handshake failed: [A-Za-z0-9_ ]+$/);
    });

    test('a connection that never sends a byte is closed at the handshake deadline', async () => {
      const other = await loggedServer({ tls: pem, handshakeTimeout: 200 });
      try {
        const idle = netConnect(other.s.port, '127.0.0.1');
        idle.on('error', () => undefined);
        await once(idle, 'connect');
        await within(once(idle, 'close'), HANG_MS, 'the server closing a silent connection');
      } finally {
        await other.s.close();
      }
    });

    test("a connection that never sends a byte does not hold up the server's close", async () => {
      // No handshake deadline: only the close can end the silent connection.
      const other = await loggedServer({ tls: pem, handshakeTimeout: 0 });
      const idle = netConnect(other.s.port, '127.0.0.1');
      idle.on('error', () => undefined);
      const idleClosed = once(idle, 'close');
      await once(idle, 'connect');
      // Accepted in order: once a later client is in, the server has taken the silent one.
      await (await NetFs.connect({ port: other.s.port, tls: { ca: pem.cert } })).close();
      await within(other.s.close(), HANG_MS, 'the close of a TLS server with a connection waiting for its first byte');
      await within(idleClosed, HANG_MS, 'the silent connection closing');
    });
  });

  test('a TLS client on a plain server is told the server does not speak TLS (EPROTO)', async () => {
    const { s } = await loggedServer({});
    try {
      // The server answers the ClientHello with a plain FATAL frame, which OpenSSL cannot read.
      const error = await NetFs.connect({ port: s.port, tls: { rejectUnauthorized: false } }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'EPROTO',
        message: expect.stringContaining('does not speak TLS (it answered in plain text): connect without the tls option'),
      });
    } finally {
      await s.close();
    }
  });

  describe('tokens', () => {
    test('a token sent to a server without one: the message says the server has none', async () => {
      const { s, lines } = await loggedServer({});
      try {
        const error = await NetFs.connect({ port: s.port, token: 'secret' }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'EACCES', message: expect.stringContaining('this server has no token; connect without one') });
        expect(lines.some((l) => l.endsWith('closed: EACCES authentication failed: this server has no token; connect without one'))).toBe(true);
      } finally {
        await s.close();
      }
    });

    test('no token sent to a server with one, and a wrong token: each message says which', async () => {
      const { s } = await loggedServer({ token: 'secret' });
      try {
        await expect(NetFs.connect({ port: s.port })).rejects.toMatchObject({
          code: 'EACCES',
          message: expect.stringContaining('this server needs a token and the client sent none'),
        });
        await expect(NetFs.connect({ port: s.port, token: 'guess' })).rejects.toMatchObject({
          code: 'EACCES',
          message: expect.stringContaining('authentication failed: wrong token'),
        });
        const fs = await NetFs.connect({ port: s.port, token: 'secret' });
        await fs.close();
      } finally {
        await s.close();
      }
    });
  });
});
