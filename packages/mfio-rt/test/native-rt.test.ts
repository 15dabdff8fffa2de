import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_ORDER, NativeRt, VirtFs } from '../src/index.js';
import { forcedDelivery } from '../src/backends/delivery.js';
import { currentHost } from '../src/backends/host.js';

/** Run `body` with MFIO_FS_BACKENDS set to `value`, restoring it after. */
function withEnv<T>(value: string | undefined, body: () => T): T {
  const saved = process.env.MFIO_FS_BACKENDS;
  if (value === undefined) delete process.env.MFIO_FS_BACKENDS;
  else process.env.MFIO_FS_BACKENDS = value;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.MFIO_FS_BACKENDS;
    else process.env.MFIO_FS_BACKENDS = saved;
  }
}

describe('NativeRt.builder()', () => {
  test('buildEach() reports every backend in order, each with a runtime or the reason it cannot start', async () => {
    const each = withEnv(undefined, () => NativeRt.builder().enableAll().buildEach());
    expect(each.map((r) => r.name)).toEqual([...BACKEND_ORDER]);
    for (const result of each) {
      if (result.rt) {
        expect(result.rt.backendName).toBe(result.name);
        await result.rt.close();
      } else {
        expect(result.error.code).toMatch(/^ERR_MFIO_BACKEND_/);
        expect(result.error.message).toContain(result.name);
      }
    }
    expect(each.find((r) => r.name === 'libuv')?.rt).toBeDefined();
    if (process.platform !== 'win32') expect(each.find((r) => r.name === 'iocp')?.error?.message).toContain('only on Windows');
  });

  test('build() returns the first backend that starts; libuv is the fallback', async () => {
    const rt = withEnv(undefined, () => NativeRt.builder().enableAll().build());
    const first = withEnv(undefined, () => NativeRt.builder().enableAll().buildEach());
    expect(rt.backendName).toBe(first.find((r) => r.rt)!.name);
    for (const r of first) await r.rt?.close();
    await rt.close();
    const libuv = withEnv(undefined, () => NativeRt.builder().libuv().build());
    expect(libuv.backendName).toBe('libuv');
    await libuv.close();
  });

  test('MFIO_FS_BACKENDS restricts the choice', async () => {
    // The first of the allowed backends that starts (threadpool where its addon is built).
    const probe = withEnv(undefined, () => NativeRt.builder().threadpool().libuv().buildEach());
    const expected = probe.find((r) => r.rt)!.name;
    for (const r of probe) await r.rt?.close();
    const rt = withEnv('threadpool, libuv', () => NativeRt.builder().enableAll().build());
    expect(rt.backendName).toBe(expected);
    await rt.close();
    const each = withEnv('libuv', () => NativeRt.builder().enableAll().buildEach());
    expect(each.filter((r) => r.name !== 'libuv').every((r) => r.error?.code === 'ERR_MFIO_BACKEND_DISABLED')).toBe(true);
    await each.find((r) => r.name === 'libuv')?.rt?.close();
    expect(() => withEnv('io_uring', () => NativeRt.builder().libuv().build())).toThrow(expect.objectContaining({ code: 'ERR_MFIO_NO_BACKEND' }));
    for (const value of ['libuv,bogus', 'io-uring']) {
      const name = value.includes('bogus') ? 'bogus' : 'io-uring';
      expect(() => withEnv(value, () => NativeRt.builder().enableAll().build())).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining(`'${name}'`) }),
      );
      expect(() => withEnv(value, () => NativeRt.builder().enableAll().buildEach())).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    }
  });

  test('diagnostics() says how completions reach JS: MFIO_DELIVERY when set, else libuv on Node; nothing for libuv', async () => {
    const expected = forcedDelivery() ?? (currentHost().name === 'node' ? 'uv' : 'tsfn');
    for (const result of withEnv(undefined, () => NativeRt.builder().enableAll().buildEach())) {
      if (!result.rt) continue;
      const delivery = result.rt.diagnostics().delivery;
      if (result.name === 'libuv') expect(delivery).toBeUndefined();
      else if (result.name === 'iocp') expect(delivery).toMatchObject({ path: 'tsfn' });
      else expect(delivery).toEqual({ path: expected, reason: expect.any(String) });
      await result.rt.close();
    }
  });

  test('MFIO_DELIVERY other than uv or tsfn makes build() and buildEach() throw ERR_INVALID_ARG_VALUE', () => {
    const saved = process.env.MFIO_DELIVERY;
    process.env.MFIO_DELIVERY = 'poll';
    try {
      expect(() => NativeRt.builder().enableAll().build()).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining("'poll'") }),
      );
      expect(() => NativeRt.builder().enableAll().buildEach()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    } finally {
      if (saved === undefined) delete process.env.MFIO_DELIVERY;
      else process.env.MFIO_DELIVERY = saved;
    }
  });

  test('build() with no switch called is enableAll(); every backend switched off fails with ERR_MFIO_NO_BACKEND', async () => {
    const rt = NativeRt.builder().build();
    const all = NativeRt.builder().enableAll().build();
    expect(rt.backendName).toBe(all.backendName);
    await Promise.all([rt.close(), all.close()]);
    expect(() => NativeRt.builder().libuv(false).build()).toThrow(
      expect.objectContaining({ code: 'ERR_MFIO_NO_BACKEND', message: expect.stringContaining('every backend is switched off') }),
    );
    expect(() => NativeRt.builder().enable('bogus' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});

/** Every backend that starts on this machine (io_uring and libuv here; more as they land). */
const startable = NativeRt.builder()
  .enableAll()
  .buildEach()
  .flatMap((result) => {
    void result.rt?.close();
    return result.rt ? [result.name] : [];
  });

describe.each(startable)('rt.close() on %s', (backend) => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-rt-close-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('cancels what is in flight, settles every promise, and later calls reject with EBADF', async () => {
    const rt = NativeRt.builder().enable(backend).cwd(dir).build();
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      socket.on('error', () => undefined); // rt.close resets the connection: ECONNRESET here is expected
      sockets.push(socket);
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    const file = await rt.open('f', { read: true, write: true, create: true });
    await file.writeAllAt(0, Buffer.alloc(1 << 20, 1));
    const reads = Array.from({ length: 32 }, (_, i) => file.readAt(i * 32768, 32768));
    const stream = await rt.connect('127.0.0.1', port);
    const pendingRead = stream.read(100);
    const listener = await rt.listen('127.0.0.1', 0);
    const pendingAccept = listener.accept();
    const settled = Promise.allSettled([...reads, pendingRead, pendingAccept]);

    await rt.close();
    const results = await settled;
    // File reads were already with the kernel: they complete; socket waits are cancelled.
    expect(results.slice(0, 32).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[32]).toMatchObject({ status: 'rejected', reason: { code: 'ECANCELED' } });
    expect(results[33]).toMatchObject({ status: 'rejected', reason: { code: 'ECANCELED' } });
    expect(file.closed).toBe(true);
    expect(stream.closed).toBe(true);

    await expect(rt.open('f')).rejects.toMatchObject({ code: 'EBADF' });
    await expect(rt.currentDir().metadata('f')).rejects.toMatchObject({ code: 'EBADF' });
    await expect(rt.connect('127.0.0.1', port)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(file.readAt(0, 1)).rejects.toMatchObject({ code: 'EBADF' });
    await rt.close(); // idempotent

    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('a connect in progress settles when the runtime closes', async () => {
    const rt = NativeRt.builder().enable(backend).build();
    const connecting = rt.connect('127.0.0.1', 9).catch((error: unknown) => error);
    await rt.close();
    const outcome = await connecting;
    // Port 9 on loopback refuses at once, or the close cancelled it first: either way it settled.
    expect(outcome).toMatchObject({ code: expect.stringMatching(/^(ECANCELED|ECONNREFUSED)$/) });
  });
});

describe('VirtFs close, and which backends can block', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-rt-sync-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('VirtFs closes the same way', async () => {
    const fs = new VirtFs();
    const file = await fs.open('f', { write: true, create: true });
    const write = file.writeAllAt(0, 'abc');
    await fs.close();
    await expect(write).resolves.toBeUndefined();
    await expect(fs.open('f')).rejects.toMatchObject({ code: 'EBADF' });
    await expect(file.writeAt(0, 'x')).rejects.toMatchObject({ code: 'EBADF' });
  });

  test('sync wrappers: VirtFs files can block; libuv files say they cannot', async () => {
    const virt = new VirtFs();
    const file = await virt.open('f', { read: true, write: true, create: true });
    file.writeAllAtSync(0, 'sync');
    expect(file.readAtSync(0, 4).toString()).toBe('sync');
    await virt.close();
    const rt = NativeRt.builder().libuv().cwd(dir).build();
    const real = await rt.open('g', { read: true, write: true, create: true });
    expect(() => real.readAtSync(0, 1)).toThrow(expect.objectContaining({ code: 'ERR_MFIO_CANNOT_BLOCK' }));
    await rt.close();
  });

  test.each(startable.filter((name) => name !== 'libuv'))('sync wrappers block on %s files, with async requests in flight beside them', async (backend) => {
    const rt = NativeRt.builder().enable(backend).cwd(dir).build();
    const file = await rt.open('s', { read: true, write: true, create: true });
    file.writeAllAtSync(0, 'blocking io');
    const early = file.readAt(0, 8); // queued, not yet submitted
    expect(file.readAtSync(9, 2).toString()).toBe('io');
    expect((await early).toString()).toBe('blocking');
    expect(() => file.readExactAtSync(5, 100)).toThrow(expect.objectContaining({ code: 'ERR_UNEXPECTED_EOF' }));
    await rt.close();
  });
});

describe('VirtFs file size cap', () => {
  test('writes and setLen beyond maxFileSize fail with EFBIG; up to it they work; the option is validated', async () => {
    const fs = new VirtFs({ maxFileSize: 1000 });
    const file = await fs.open('f', { read: true, write: true, create: true });
    await file.writeAllAt(990, Buffer.alloc(10, 1));
    await expect(file.writeAllAt(995, Buffer.alloc(10, 2))).rejects.toMatchObject({ code: 'EFBIG' });
    await expect(file.setLen(1001)).rejects.toMatchObject({ code: 'EFBIG' });
    await file.setLen(1000);
    expect((await file.metadata()).len).toBe(1000);
    const appender = await fs.open('f', { append: true });
    await expect(appender.writeAllAt(0, 'x')).rejects.toMatchObject({ code: 'EFBIG' });
    await fs.close();
    expect(() => new VirtFs({ maxFileSize: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});
