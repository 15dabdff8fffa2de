import { createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { readdir, readlink } from 'node:fs/promises';
import type { SuiteContext } from './context.js';
import { HANG_MS, describeInFlight, track, within } from './helpers.js';

/** How many of this process's file descriptors are open on `path` (Linux: /proc; elsewhere 0). */
async function descriptorsOn(path: string): Promise<number> {
  if (process.platform !== 'linux') return 0;
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === path) n++;
  }
  return n;
}

/** Registers the cases about closing a whole runtime while handles are closing (`tcp`: with the stream case). */
export function lifecycleCases(ctx: SuiteContext, tcp: boolean): void {
  describe('runtime close', () => {
    ctx.test('rt.close with a handle close in flight: a file close started by the user settles first', async () => {
      const subject = await ctx.fresh();
      const file = await subject.fs.open('f', { read: true, write: true, createNew: true });
      await file.writeAllAt(0, Buffer.alloc(8 << 20, 1));
      const reads = Array.from({ length: 256 }, (_, i) => track(file.readAt(i * 32768, 32768)));
      const closing = track(file.close()); // not awaited: the runtime's close must wait for it
      await within(subject.close(), HANG_MS, 'rt.close()', () => describeInFlight(subject.fs));
      expect(closing.settled).toBe(true);
      expect(await closing.outcome).toEqual({ status: 'fulfilled', value: undefined });
      expect(reads.every((read) => read.settled)).toBe(true);
      for (const read of reads) expect(await read.outcome).toMatchObject({ status: 'fulfilled' });
    });

    ctx.test('readDir iterations left open are released by rt.close, and their next entry fails with EBADF', async () => {
      const subject = await ctx.fresh();
      const cwd = subject.fs.currentDir();
      await cwd.createDir('many');
      const many = await cwd.openDir('many');
      for (let i = 0; i < 300; i++) await (await many.openFile(`f${i}`, { write: true, createNew: true })).close();
      const iterators: Array<AsyncIterator<unknown>> = [];
      for (let k = 0; k < 5; k++) {
        const iterator = many.readDir()[Symbol.asyncIterator]();
        expect((await iterator.next()).done).toBe(false); // abandoned after one entry
        iterators.push(iterator);
      }
      const path = many.path();
      await within(subject.close(), HANG_MS, 'rt.close()', () => describeInFlight(subject.fs));
      for (const iterator of iterators) await expect(iterator.next()).rejects.toMatchObject({ code: 'EBADF' });
      expect(await descriptorsOn(path)).toBe(0);
    });

    if (!tcp) return;
    ctx.test('rt.close with a handle close in flight: a stream stuck flushing to a peer that never reads is reset', async () => {
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
        await within(subject.close(), HANG_MS, 'rt.close()', () => describeInFlight(subject.fs));
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
