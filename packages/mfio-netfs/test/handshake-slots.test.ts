import { NetFs } from '../src/index.js';
import { FrameType as T } from '../src/protocol/constants.js';
import { RawClient } from './support/raw-client.js';
import { HANG_MS, startServer, until, within, type TestServer } from './support/servers.js';

/**
 * `maxPendingHandshakes`: connections that have not finished the handshake hold at most that
 * many slots; each newcomer over it evicts the oldest with FATAL EBUSY and the server frees its
 * descriptor at once, so strangers that connect and say nothing cannot lock clients out.
 */
describe('handshake slots', () => {
  let s: TestServer;
  const strangers: RawClient[] = [];
  beforeAll(async () => {
    // A handshake timeout far beyond the test, so every close seen here is an eviction.
    s = await startServer({ maxPendingHandshakes: 64, handshakeTimeout: 120_000 });
  });
  afterAll(async () => {
    for (const stranger of strangers) stranger.socket.destroy();
    await s.close();
  });

  test('104 idle connections: the 40 oldest are evicted with FATAL EBUSY, the newest 64 keep their slots', async () => {
    const closed = new Set<number>();
    // One after the other, so the server accepts them in this order (its accept queue is FIFO).
    for (let i = 0; i < 104; i++) {
      const stranger = await RawClient.connect(s.port);
      strangers.push(stranger);
      void stranger.closed.then(() => closed.add(i));
    }
    // The 104th accept evicts the 40th: all 40 closes are on their way.
    await until(() => closed.size >= 40, HANG_MS, 'the 40 evictions');
    // Evicted connections are gone from the server too (their descriptors freed).
    await until(() => s.server.connections === 64, HANG_MS, 'the server dropping the evicted');
    expect([...closed].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const stranger of strangers.slice(0, 40)) {
      expect(await stranger.rest()).toEqual([expect.objectContaining({ type: T.FATAL, code: 'EBUSY' })]);
    }

    // A client still gets in (evicting the oldest remaining stranger, the 41st) and is served.
    const client = await NetFs.connect({ port: s.port });
    try {
      expect((await client.currentDir().metadata('/')).type).toBe('dir');
    } finally {
      await client.close();
    }
    expect(await within(strangers[40]!.rest(), HANG_MS, 'the 41st eviction')).toEqual([expect.objectContaining({ type: T.FATAL, code: 'EBUSY' })]);
    await until(() => s.server.connections === 63, HANG_MS, 'the server dropping the 41st and the client');
    expect(closed.size).toBe(41);
  });
});
