import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { HANG_MS, describeInFlight, until, within } from '@mfio/rt-conformance';
import { NativeRt, type BackendName, type TcpStream } from '../src/index.js';

/**
 * Requests that wait for a peer can fill a backend for good: more idle reads than its executor
 * holds (io_uring: 1,023 in flight; the thread pool: 4,096). The rest wait in JS, but a cancel
 * must never wait behind them: an abort and rt.close() still settle.
 */

const CAPACITY: Partial<Record<BackendName, number>> = { io_uring: 1023, threadpool: 4096 };
const available = NativeRt.builder().enableAll().buildEach();
for (const result of available) void result.rt?.close();

for (const [backend, capacity] of Object.entries(CAPACITY) as Array<[BackendName, number]>) {
  const runs = available.some((r) => r.name === backend && r.rt !== undefined);
  (runs ? test : test.skip)(
    `${backend}: with ${capacity} idle reads in flight and more waiting, an abort and close() still settle`,
    async () => {
      const peers: Socket[] = [];
      const server = createServer((socket) => void peers.push(socket.on('error', () => undefined))).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const rt = NativeRt.builder().enable(backend).build();
      try {
        const { port } = server.address() as AddressInfo;
        const streams: TcpStream[] = [];
        for (let i = 0; i < capacity + 8; i += 256) {
          const batch = Array.from({ length: Math.min(256, capacity + 8 - i) }, () => rt.connect('127.0.0.1', port));
          streams.push(...(await Promise.all(batch)));
        }
        const first = new AbortController();
        const aborted = streams[0]!.read(1, { signal: first.signal }).then(
          () => null,
          (e: unknown) => e as { code: string; released?: Promise<void> },
        );
        const reads = streams.slice(1).map((stream) =>
          stream.read(1).then(
            () => 'read',
            (e: { code: string }) => e.code,
          ),
        );
        const submitted = (): number => rt.diagnostics().inFlight.filter((r) => r.op === 'recv' && r.state === 'submitted').length;
        await until(
          () => submitted() === capacity,
          HANG_MS,
          'every executor slot taken',
          () => describeInFlight(rt),
        );
        first.abort();
        const error = await aborted;
        expect(error).toMatchObject({ code: 'ABORT_ERR' });
        // The cancel reached the kernel past the waiting reads: the buffer is let go.
        await within(error!.released ?? Promise.resolve(), HANG_MS, "the aborted read's release", () => describeInFlight(rt));
        await within(rt.close(), HANG_MS, 'rt.close()', () => describeInFlight(rt));
        const settled = await Promise.all(reads);
        expect(settled.filter((code) => code === 'read')).toEqual([]);
      } finally {
        await rt.close();
        for (const peer of peers) peer.destroy();
        server.close();
      }
    },
    4 * HANG_MS,
  );
}
