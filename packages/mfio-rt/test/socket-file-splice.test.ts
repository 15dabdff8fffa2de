// SocketFileSplice: file ranges sent down a real TCP socket on 127.0.0.1 with splice(2), checked
// byte for byte at the other end: cached ranges, end of file, what it refuses (pages not cached,
// files with no descriptor, closed files, TLS), a socket that takes only part, a peer gone.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer, connect, Socket as NetSocket, type Server, type Socket } from 'node:net';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { NativeQueue } from '../src/backends/engine/native-queue.js';
import { loadAddon } from '../src/native/addon.js';
import { NativeRt, SocketFileSplice, VirtFs, type BackendName, type FileHandle } from '../src/index.js';

const POSIX_FADV_DONTNEED = 4;
const dir = mkdtempSync(join(tmpdir(), 'mfio-splice-'));
const data = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => (i * 13 + (i >> 12)) & 0xff));
const path = join(dir, 'data.bin');
writeFileSync(path, data);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A connected pair on 127.0.0.1: `server` is the accepted end, `client` collects what arrives. */
interface Pair {
  server: Socket;
  client: Socket;
  received: Buffer[];
  /** Resolves once `n` bytes in all have arrived. */
  bytes(n: number): Promise<Buffer>;
  close(): Promise<void>;
}

async function pair(): Promise<Pair> {
  const listener: Server = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const client = connect(port, '127.0.0.1');
  const server = await accepted;
  server.on('error', () => undefined);
  client.on('error', () => undefined);
  const received: Buffer[] = [];
  let waiter: (() => void) | null = null;
  client.on('data', (chunk: Buffer) => {
    received.push(chunk);
    waiter?.();
  });
  const total = (): number => received.reduce((sum, chunk) => sum + chunk.length, 0);
  return {
    server,
    client,
    received,
    bytes: async (n) => {
      while (total() < n) await new Promise<void>((resolve) => (waiter = resolve));
      return Buffer.concat(received);
    },
    close: async () => {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

const linux = process.platform === 'linux';
const EXT4 = 0xef53;
const BTRFS = 0x9123683e;
const TMPFS = 0x01021994;
/** Why splicing cannot be tested here, or null: the filesystems it is used on, cachestat (6.5). */
function whyNot(): string | null {
  if (!linux) return 'splice is Linux only';
  if (process.env.MFIO_SPLICE === '0') return 'MFIO_SPLICE=0';
  if (![EXT4, BTRFS, TMPFS].includes(statfsSync(dir).type)) return `${tmpdir()} is on a filesystem splice is not used on`;
  const match = /^(\d+)\.(\d+)/.exec(release());
  if (match === null || Number(match[1]) * 1000 + Number(match[2]) < 6005) return 'no cachestat before Linux 6.5';
  return null;
}
const skipReason = whyNot();
const onTmpfs = linux && statfsSync(dir).type === TMPFS;
// The backends that give their files a descriptor to splice from, where they work here (built
// once to see, and closed).
const built = NativeRt.builder().enableAll().buildEach();
const backends = built.filter((result) => result.rt !== undefined && (result.name === 'io_uring' || result.name === 'threadpool')).map((result) => result.name);
for (const result of built) void result.rt?.close();

const describeEach = skipReason === null && backends.length > 0 ? describe.each(backends) : describe.skip.each([skipReason ?? 'no native backend here']);
describeEach('SocketFileSplice on %s', (name) => {
  let rt: NativeRt;
  let file: FileHandle;
  let p: Pair;
  beforeAll(async () => {
    rt = NativeRt.builder()
      .enable(name as BackendName)
      .build();
    file = await rt.open(path);
  });
  afterAll(async () => {
    await file.close();
    await rt.close();
  });
  beforeEach(async () => {
    p = await pair();
  });
  afterEach(() => p.close());

  test('sends a cached range after its header, byte for byte', async () => {
    await file.readAt(100_000, 65_536); // in the page cache
    const splice = SocketFileSplice.for(p.server)!;
    expect(splice).not.toBeNull();
    expect(splice.capacity).toBeGreaterThanOrEqual(128 * 1024);
    const before = SocketFileSplice.stats();
    expect(splice.ready).toBe(true);
    expect(splice.stage(file, 100_000, 65_536)).toBe(65_536);
    splice.send(Buffer.from('HEAD'));
    const got = await p.bytes(4 + 65_536);
    expect(got.subarray(0, 4).toString()).toBe('HEAD');
    expect(got.subarray(4).equals(data.subarray(100_000, 165_536))).toBe(true);
    const after = SocketFileSplice.stats();
    expect(after.spliced - before.spliced).toBe(1);
    expect(after.splicedBytes - before.splicedBytes).toBe(65_536);
  });

  test('a range reaching past the end of the file is refused (its pages are not cached); one ending there is sent', async () => {
    const splice = SocketFileSplice.for(p.server)!;
    await file.readAt(data.length - 100, 100);
    expect(splice.stage(file, data.length - 100, 65_536)).toBeNull();
    expect(splice.stage(file, data.length, 4096)).toBeNull();
    expect(splice.stage(file, data.length - 100, 100)).toBe(100);
    splice.send(Buffer.from('H'));
    expect((await p.bytes(101)).subarray(1).equals(data.subarray(data.length - 100))).toBe(true);
  });

  test('refuses what it cannot splice: null, and the caller copies', async () => {
    const splice = SocketFileSplice.for(p.server)!;
    expect(splice.stage(file, 0, splice.capacity + 1)).toBeNull();
    const virtual = await new VirtFs().open('/v.bin', { read: true, write: true, create: true });
    await virtual.writeAt(0, Buffer.alloc(10_000, 1));
    expect(splice.stage(virtual, 0, 4096)).toBeNull();
    await virtual.close();
    // Where the backends are narrowed (MFIO_FS_BACKENDS, as under test:asan) libuv may not start.
    const libuv = NativeRt.builder().enable('libuv').buildEach()[0]?.rt;
    if (libuv !== undefined) {
      const viaLibuv = await libuv.open(path);
      expect(splice.stage(viaLibuv, 0, 4096)).toBeNull();
      await viaLibuv.close();
      await libuv.close();
    }
    const closing = await rt.open(path);
    const closed = closing.close();
    expect(splice.stage(closing, 0, 4096)).toBeNull();
    await closed;
    expect(SocketFileSplice.for(new TLSSocket(new NetSocket()))).toBeNull();
  });

  test('refuses every range of a file on a filesystem splice is not used on (procfs)', async () => {
    const splice = SocketFileSplice.for(p.server)!;
    const proc = await rt.open('/proc/self/status');
    try {
      await proc.readAt(0, 100);
      expect(splice.stage(proc, 0, 100)).toBeNull();
    } finally {
      await proc.close();
    }
  });

  // tmpfs keeps its pages whatever the advice: nothing to drop there.
  (onTmpfs ? test.skip : test)('refuses a range whose pages are not all cached, rather than block on the disk', async () => {
    const coldPath = join(dir, `cold-${name}.bin`);
    writeFileSync(coldPath, data.subarray(0, 200_000));
    const fd = openSync(coldPath, 'r');
    const addon = loadAddon();
    const queue = new NativeQueue('io_uring', (addon.UringExecutor ?? addon.ThreadpoolExecutor)!, 8);
    try {
      fsyncSync(fd); // dirty pages stay cached whatever the advice
      const advised = await new Promise<number>((resolve) => queue.cmd.fadvise({ userData: 0, complete: resolve }, fd, 0, 0, POSIX_FADV_DONTNEED));
      expect(advised).toBe(0);
    } finally {
      closeSync(fd);
      await queue.close();
    }
    const cold = await rt.open(coldPath);
    try {
      const splice = SocketFileSplice.for(p.server)!;
      const before = SocketFileSplice.stats();
      expect(splice.stage(cold, 65_536, 65_536)).toBeNull();
      expect(SocketFileSplice.stats().notCached - before.notCached).toBe(1);
      await cold.readAt(65_536, 65_536); // the copying path reads it in
      expect(splice.stage(cold, 65_536, 65_536)).toBe(65_536);
      splice.send(Buffer.alloc(0));
      expect((await p.bytes(65_536)).equals(data.subarray(65_536, 131_072))).toBe(true);
    } finally {
      await cold.close();
    }
  });

  test('a full socket takes part; the rest follows through socket.write, in order', async () => {
    p.client.pause(); // the receiver reads nothing: the socket's buffer fills
    const splice = SocketFileSplice.for(p.server)!;
    await file.readAt(0, data.length);
    const before = SocketFileSplice.stats();
    const expected: Buffer[] = [];
    let position = 0;
    // Until the kernel stops taking it all (a few MiB on loopback), bounded.
    for (let frame = 0; frame < 400 && splice.ready; frame++) {
      const header = Buffer.from(`#${frame}#`);
      const n = splice.stage(file, position, 131_072)!;
      expect(n).toBeGreaterThan(0);
      splice.send(header);
      expected.push(header, data.subarray(position, position + n));
      position = (position + n) % (data.length - 131_072);
    }
    expect(splice.ready).toBe(false);
    expect(SocketFileSplice.stats().partial - before.partial).toBeGreaterThanOrEqual(1);
    // Bytes written after go after the rest.
    p.server.write('end');
    expected.push(Buffer.from('end'));
    const want = Buffer.concat(expected);
    p.client.resume();
    expect((await p.bytes(want.length)).equals(want)).toBe(true);
    // Once drained, it is ready again.
    await new Promise<void>((resolve) => (p.server.writableLength === 0 ? resolve() : p.server.once('drain', () => resolve())));
    expect(splice.ready).toBe(true);
  });

  test('bytes staged must be sent or dropped before the next stage', async () => {
    const splice = SocketFileSplice.for(p.server)!;
    await file.readAt(0, 8192);
    expect(splice.stage(file, 0, 4096)).toBe(4096);
    expect(() => splice.stage(file, 4096, 4096)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    splice.drop();
    expect(splice.stage(file, 4096, 4096)).toBe(4096);
    splice.send(Buffer.alloc(0));
    expect((await p.bytes(4096)).equals(data.subarray(4096, 8192))).toBe(true);
  });

  test("bytes another socket's splicer staged and abandoned do not stop this one", async () => {
    await file.readAt(0, 8192);
    const other = await pair();
    try {
      const abandoning = SocketFileSplice.for(other.server)!;
      expect(abandoning.stage(file, 0, 4096)).toBe(4096); // and never sent: its caller threw
      const splice = SocketFileSplice.for(p.server)!;
      expect(splice.stage(file, 4096, 4096)).toBe(4096);
      splice.send(Buffer.alloc(0));
      expect((await p.bytes(4096)).equals(data.subarray(4096, 8192))).toBe(true);
    } finally {
      await other.close();
    }
  });

  test('a socket that fails: destroyed with the error, nothing thrown, the pipe emptied', async () => {
    // A socket that was never connected: send(2) fails with EPIPE, as on a connection the peer
    // reset just before (which Node, reading, would usually notice first).
    const fd = loadAddon().socketOpen!(false);
    const unconnected = new NetSocket({ fd, readable: false, writable: true });
    const failed = new Promise<NodeJS.ErrnoException>((resolve) => unconnected.once('error', resolve));
    const splice = SocketFileSplice.for(unconnected)!;
    await file.readAt(0, 65_536);
    expect(splice.ready).toBe(true);
    expect(splice.stage(file, 0, 65_536)).toBe(65_536);
    splice.send(Buffer.from('H'));
    expect((await failed).code).toBe('EPIPE');
    expect(unconnected.destroyed).toBe(true);
    expect(splice.ready).toBe(false);
    // The next socket's splice starts from an empty pipe.
    const next = SocketFileSplice.for(p.server)!;
    expect(next.stage(file, 4096, 4096)).toBe(4096);
    next.send(Buffer.alloc(0));
    expect((await p.bytes(4096)).equals(data.subarray(4096, 8192))).toBe(true);
  });

  test('a socket Node destroyed gets nothing: the staged bytes are dropped', async () => {
    const splice = SocketFileSplice.for(p.server)!;
    await file.readAt(0, 4096);
    expect(splice.stage(file, 0, 4096)).toBe(4096);
    p.server.destroy();
    splice.send(Buffer.from('H'));
    expect(splice.stage(file, 0, 4096)).toBe(4096);
    splice.drop();
  });
});
