import { createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import type { SuiteContext } from './context.js';

/** A promise's outcome, recorded as it settles (so a case can ask "had it settled by then?"). */
function track<T>(promise: Promise<T>): { settled: boolean; outcome: Promise<PromiseSettledResult<T>> } {
  const state = { settled: false, outcome: null as unknown as Promise<PromiseSettledResult<T>> };
  state.outcome = promise.then(
    (value) => ((state.settled = true), { status: 'fulfilled' as const, value }),
    (reason: unknown) => ((state.settled = true), { status: 'rejected' as const, reason }),
  );
  return state;
}

/** Reject after `ms` with a message naming what hung (instead of a bare jest timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Registers the cases about closing a whole runtime while handles are closing (`tcp`: with the stream case). */
export function lifecycleCases(ctx: SuiteContext, tcp: boolean): void {
  describe('runtime close', () => {
    test('rt.close with a handle close in flight: a file close started by the user settles first', async () => {
      const subject = await ctx.fresh();
      const file = await subject.fs.open('f', { read: true, write: true, createNew: true });
      await file.writeAllAt(0, Buffer.alloc(8 << 20, 1));
      const reads = Array.from({ length: 256 }, (_, i) => track(file.readAt(i * 32768, 32768)));
      const closing = track(file.close()); // not awaited: the runtime's close must wait for it
      await within(subject.close(), 10_000, 'rt.close()');
      expect(closing.settled).toBe(true);
      expect(await closing.outcome).toEqual({ status: 'fulfilled', value: undefined });
      expect(reads.every((read) => read.settled)).toBe(true);
      for (const read of reads) expect(await read.outcome).toMatchObject({ status: 'fulfilled' });
    });

    if (!tcp) return;
    test('rt.close with a handle close in flight: a stream stuck flushing to a peer that never reads is reset', async () => {
      const subject = await ctx.fresh();
      const sockets: Socket[] = [];
      const server = createServer((socket) => {
        socket.pause(); // never reads: our writes fill both kernel buffers and stay pending
        socket.on('error', () => undefined);
        sockets.push(socket);
      }).listen(0, '127.0.0.1');
      try {
        await once(server, 'listening');
        const stream = await subject.tcp!.connect('127.0.0.1', (server.address() as AddressInfo).port);
        const write = track(stream.write(Buffer.alloc(64 << 20)));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(write.settled).toBe(false);
        const closing = track(stream.close()); // graceful: waits for the flush, so forever
        await within(subject.close(), 10_000, 'rt.close()');
        expect(write.settled).toBe(true);
        expect(closing.settled).toBe(true);
        expect(await write.outcome).toMatchObject({ status: 'rejected', reason: { code: 'ECANCELED' } });
        expect(await closing.outcome).toEqual({ status: 'fulfilled', value: undefined });
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
}
