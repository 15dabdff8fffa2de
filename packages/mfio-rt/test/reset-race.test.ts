import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { NativeQueue } from '../src/backends/engine/native-queue.js';
import { HANG_MS, describeInFlight, repeats, track, until, within } from '@mfio/rt-conformance';
import { NativeRt, type BackendName, type TcpStream } from '../src/index.js';

/**
 * Races between a cancel and a completion already on its way, made deterministic by holding
 * the completions the executor drained (what a busy event loop does) and releasing them after
 * the cancel was issued. Without the fix each of these hangs rt.close() for good.
 */
const available = NativeRt.builder().enableAll().buildEach();
for (const result of available) void result.rt?.close();

const cases = (['io_uring', 'threadpool'] as BackendName[]).flatMap((b) => repeats().map((r) => [b, r] as const));

/**
 * A `backend` runtime connected to a peer on 127.0.0.1 (`peerOptions`, `onPeer` for its socket),
 * for `body`; then everything is torn down. The runtime's close is not awaited there: when a
 * case failed, it is what hangs.
 */
async function withPeer(
  backend: BackendName,
  peerOptions: { allowHalfOpen?: boolean },
  onPeer: (socket: Socket) => Socket,
  body: (rt: NativeRt, stream: TcpStream, peer: () => Socket) => Promise<void>,
): Promise<void> {
  const peers: Socket[] = [];
  const server = createServer(peerOptions, (socket) => void peers.push(onPeer(socket).on('error', () => undefined))).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const rt = NativeRt.builder().enable(backend).build();
  try {
    const stream = await rt.connect('127.0.0.1', (server.address() as AddressInfo).port);
    await until(() => peers.length === 1, HANG_MS, 'the connection at the peer');
    await body(rt, stream, () => peers[0]!);
  } finally {
    void rt.close();
    for (const peer of peers) peer.destroy();
    server.close();
  }
}

const starts = (backend: BackendName): boolean => available.some((r) => r.name === backend && r.rt !== undefined);

for (const [backend, run] of cases) {
  (starts(backend) ? test : test.skip)(
    `${backend}: a reset while a short send's completion waits to be delivered fails the rest instead of sending it${run}`,
    // A peer that never reads: the kernel takes what fits in the socket buffers, the send
    // completes short, and a send of the rest would wait forever.
    () =>
      withPeer(
        backend,
        {},
        (socket) => socket.pause(),
        async (rt, stream) => {
          const hold = (rt.backend as NativeQueue).holdCompletions();
          const write = track(stream.write(Buffer.alloc(64 << 20)));
          await until(() => hold.held() > 0, HANG_MS, "the short send's completion");
          const closing = rt.close(); // resets the stream: its cancel aims at the send that finished
          hold.release();
          await within(closing, HANG_MS, 'rt.close()', () => describeInFlight(rt));
          expect(await write.outcome).toMatchObject({ status: 'rejected', reason: { code: 'ECANCELED' } });
        },
      ),
    3 * HANG_MS,
  );
}

for (const [backend, run] of cases) {
  (starts(backend) ? test : test.skip)(
    `${backend}: a close while a partial recv's completion waits to be delivered does not ask for the rest${run}`,
    // A peer that sends 3 bytes of the 10 asked for, then nothing, and keeps its end open.
    () =>
      withPeer(
        backend,
        { allowHalfOpen: true },
        (socket) => socket,
        async (rt, stream, peer) => {
          const read = track(stream.read(10));
          const hold = (rt.backend as NativeQueue).holdCompletions();
          peer().write('abc');
          await until(() => hold.held() > 0, HANG_MS, "the partial recv's completion");
          const closing = stream.close(); // cancels the recv that just finished
          hold.release();
          await within(closing, HANG_MS, 'stream.close()', () => describeInFlight(rt));
          expect(await read.outcome).toMatchObject({ status: 'rejected', reason: { code: 'ECANCELED' } });
        },
      ),
    3 * HANG_MS,
  );
}
