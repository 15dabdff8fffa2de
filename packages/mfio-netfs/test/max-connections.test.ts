import { randomBytes } from 'node:crypto';
import { NetFs } from '../src/index.js';
import { FrameType as T, VERSION } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { clientProof } from '../src/protocol/handshake.js';
import type { Response } from '../src/protocol/messages.js';
import { RawClient } from './support/raw-client.js';
import { HANG_MS, startServer, within, type TestServer } from './support/servers.js';

const MAX = 5;
const CONTENDERS = 20;

/**
 * `maxConnections` counts authenticated connections, and is checked when a client proves the
 * token, not only when its socket is accepted: handshakes that all started while there was
 * room cannot all get in.
 */
describe('maxConnections', () => {
  let s: TestServer;
  /** The most authenticated connections the server counted, sampled every turn of the event loop. */
  let most = 0;
  let sampling = true;
  beforeEach(async () => {
    s = await startServer({ maxConnections: MAX, maxPendingHandshakes: 64 });
    most = 0;
    sampling = true;
    const sample = (): void => {
      most = Math.max(most, s.server.authenticated);
      if (sampling) setImmediate(sample);
    };
    sample();
  });
  afterEach(async () => {
    sampling = false;
    await s.close();
  });

  test(`${CONTENDERS} handshakes that all got their CHALLENGE: ${MAX} are welcomed, the rest get FATAL EMFILE`, async () => {
    const clients = await Promise.all(Array.from({ length: CONTENDERS }, () => RawClient.connect(s.port)));
    try {
      // Every one past the accept-time check, waiting in the middle of its handshake.
      const nonces = clients.map(() => randomBytes(32));
      clients.forEach((client, i) => client.send(encodeMessage({ type: T.HELLO, id: 0, version: VERSION, features: 0, nonce: nonces[i]! })));
      const challenges = await within(Promise.all(clients.map((client) => client.next())), HANG_MS, 'the challenges');
      // All the proofs at once.
      clients.forEach((client, i) => {
        const challenge = challenges[i] as Extract<Response, { type: typeof T.CHALLENGE }>;
        expect(challenge.type).toBe(T.CHALLENGE);
        client.send(encodeMessage({ type: T.AUTH, id: 0, proof: clientProof('', challenge.nonce, nonces[i]!) }));
      });
      const answers = await within(Promise.all(clients.map((client) => client.next())), HANG_MS, 'the answers');
      const welcomed = answers.filter((a) => a?.type === T.WELCOME).length;
      const refused = answers.filter((a) => a?.type === T.FATAL && a.code === 'EMFILE').length;
      expect({ welcomed, refused }).toEqual({ welcomed: MAX, refused: CONTENDERS - MAX });
      expect(s.server.authenticated).toBe(MAX);
      expect(most).toBe(MAX);
    } finally {
      for (const client of clients) client.socket.destroy();
    }
  });

  test(`${CONTENDERS} NetFs.connect at once: ${MAX} connect, the rest reject with EMFILE`, async () => {
    const results = await within(Promise.allSettled(Array.from({ length: CONTENDERS }, () => NetFs.connect({ port: s.port }))), HANG_MS, 'the connects');
    const connected = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    try {
      const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []));
      expect(connected.length).toBe(MAX);
      expect(codes).toEqual(Array.from({ length: CONTENDERS - MAX }, () => 'EMFILE'));
      // The ones admitted are served.
      await Promise.all(connected.map(async (fs) => expect((await fs.currentDir().metadata('/')).type).toBe('dir')));
      expect(most).toBe(MAX);
    } finally {
      await Promise.all(connected.map((fs) => fs.close()));
    }
    // Their slots are freed once they are gone, and a newcomer gets one.
    await within(
      (async () => {
        while (s.server.authenticated > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      HANG_MS,
      'the slots freed',
    );
    const late = await NetFs.connect({ port: s.port });
    await late.close();
  });
});
