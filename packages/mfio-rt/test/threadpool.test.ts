// The thread pool's own mechanics, which the conformance suite (run on every backend) cannot see:
// what happens to queued and running requests on cancel and close, the sync path, idle exit.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HANG_MS, describeInFlight, within } from '@mfio/rt-conformance';
import { NativeRt } from '../src/index.js';
import { loadAddon, type NativeExecutor, type NativeExecutorClass } from '../src/native/addon.js';
import { AT_FDCWD, IORING_ASYNC_CANCEL_ANY, Op, STRIDE } from '../src/backends/engine/commands.js';

const ECANCELED = 125;

function poolClass(): NativeExecutorClass | undefined {
  try {
    return loadAddon().ThreadpoolExecutor;
  } catch {
    return undefined;
  }
}

const ThreadpoolExecutor = poolClass();
const describePool = ThreadpoolExecutor ? describe : describe.skip;

/** Build a runtime on the thread pool alone, with `threads` workers. */
function threadpoolRt(threads: number, cwd: string): NativeRt {
  const saved = process.env.MFIO_THREADPOOL_THREADS;
  process.env.MFIO_THREADPOOL_THREADS = String(threads);
  try {
    return NativeRt.builder().threadpool().cwd(cwd).build();
  } finally {
    if (saved === undefined) delete process.env.MFIO_THREADPOOL_THREADS;
    else process.env.MFIO_THREADPOOL_THREADS = saved;
  }
}

/** A raw executor with a helper to submit commands and await each one's result. */
function rawPool(threads: number): {
  pool: NativeExecutor;
  submit: (op: number, userData: number, fd: number, buffer: Uint8Array | null, len: number, arg: number, flags: number) => void;
  result: (userData: number) => Promise<number>;
  results: Map<number, number>;
} {
  const completions = new Int32Array(2 * 64);
  const results = new Map<number, number>();
  const waiters = new Map<number, (res: number) => void>();
  const pool = new ThreadpoolExecutor!(threads, completions, (count) => {
    for (let i = 0; i < count; i++) {
      const [userData, res] = [completions[2 * i]!, completions[2 * i + 1]!];
      results.set(userData, res);
      waiters.get(userData)?.(res);
    }
  });
  return {
    pool,
    results,
    submit(op, userData, fd, buffer, len, arg, flags) {
      const commands = Float64Array.of(op, userData, fd, buffer === null ? -1 : 0, 0, len, arg, flags);
      expect(commands.length).toBe(STRIDE);
      expect(pool.submit(commands, 1, buffer === null ? [] : [buffer])).toBe(1);
    },
    result(userData) {
      const known = results.get(userData);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => waiters.set(userData, resolve));
    },
  };
}

const cPath = (path: string): Buffer => Buffer.from(`${path}\0`);

/** A server whose connections never send anything (and take the runtime's resets quietly). */
async function silentServer(): Promise<{ server: Server; port: number; peers: Socket[] }> {
  const peers: Socket[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    peers.push(socket);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, peers };
}

describePool('threadpool executor', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-threadpool-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('info() reports its capacity, no pollable fd, and its threads', () => {
    const { pool } = rawPool(3);
    expect(pool.info()).toMatchObject({ capacity: 4096, inFlight: 0, fd: -1, threads: 3 });
    pool.close();
  });

  test('page-cache reads keep only a few workers awake, not one per request', async () => {
    const path = join(dir, 'hot.bin');
    writeFileSync(path, Buffer.alloc(1 << 20, 7));
    const fd = openSync(path, 'r');
    readSync(fd, Buffer.alloc(1 << 20), 0, 1 << 20, 0); // in the page cache now
    const { pool, submit, result } = rawPool(16);
    pool.setActive(true);
    const buffer = Buffer.alloc(4096);
    let id = 1;
    for (let round = 0; round < 64; round++) {
      const ids: number[] = [];
      for (let i = 0; i < 64; i++, id++) {
        submit(Op.Read, id, fd, buffer, 4096, ((id * 37) % 256) * 4096, 0);
        ids.push(id);
      }
      for (const res of await Promise.all(ids.map(result))) expect(res).toBe(4096);
    }
    // The target stays near the core count (a read preempted past 30 us may nudge it up), far
    // from the 16 threads a wake per request would use.
    const cores = Math.max(2, availableParallelism());
    const { threads, target } = pool.info();
    expect(threads).toBe(16);
    expect(target).toBeGreaterThanOrEqual(Math.min(16, cores));
    expect(target).toBeLessThanOrEqual(Math.min(16, cores + 2));
    pool.setActive(false);
    pool.close();
    closeSync(fd);
  });

  test('commands that block for good do not starve the queue: sleeping workers take it', async () => {
    // Each reader blocks opening a FIFO until its writer opens, and every writer is queued after
    // every reader: the queue moves only if the pool wakes workers beyond the ones blocked.
    const fifos = Array.from({ length: 7 }, (_, i) => join(dir, `stall-${i}.fifo`));
    for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
    const { pool, submit, result } = rawPool(8);
    pool.setActive(true);
    try {
      fifos.forEach((fifo, i) => submit(Op.OpenAt, 100 + i, AT_FDCWD, cPath(fifo), 0o666, 0, constants.O_RDONLY));
      fifos.forEach((fifo, i) => submit(Op.OpenAt, 200 + i, AT_FDCWD, cPath(fifo), 0o666, 0, constants.O_WRONLY));
      const opened = Promise.all(fifos.flatMap((_, i) => [result(100 + i), result(200 + i)]));
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the queue stalled behind blocked workers')), HANG_MS);
      });
      const fds = await Promise.race([opened, stalled]).finally(() => clearTimeout(timer));
      for (const fd of fds) {
        expect(fd).toBeGreaterThanOrEqual(0);
        closeSync(fd);
      }
      // Each blocked reader added a worker to the target: the whole pool is in use now.
      expect(pool.info().target).toBe(8);
    } finally {
      // Should a worker still be blocked (a failure), drop what is queued and open the other
      // ends, so close() can join every thread.
      submit(Op.Cancel, 999, -1, null, 0, 0, IORING_ASYNC_CANCEL_ANY);
      for (const fifo of fifos) {
        closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // ENXIO: no reader is blocked on it
        }
      }
      pool.setActive(false);
      pool.close();
    }
  });

  test('a cancelled request still queued completes with ECANCELED at once and never runs', async () => {
    // The only worker blocks opening a FIFO (until its other end opens); the write waits behind it.
    const fifo = join(dir, 'cancel.fifo');
    execFileSync('mkfifo', [fifo]);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'before');
    const fd = openSync(victim, 'r+');
    const { pool, submit, result, results } = rawPool(1);
    pool.setActive(true);
    submit(Op.OpenAt, 1, AT_FDCWD, cPath(fifo), 0o666, 0, 0 /* O_RDONLY */);
    submit(Op.Write, 2, fd, Buffer.from('AFTER!'), 6, 0, 0);
    submit(Op.Cancel, 3, -1, null, 0, 2, 0);
    expect(await result(2)).toBe(-ECANCELED);
    expect(await result(3)).toBe(0);
    expect(results.has(1)).toBe(false); // the worker is still blocked
    closeSync(openSync(fifo, 'w')); // lets the open finish
    const fifoFd = await result(1);
    expect(fifoFd).toBeGreaterThanOrEqual(0);
    closeSync(fifoFd);
    pool.setActive(false);
    pool.close();
    closeSync(fd);
    expect(readFileSync(victim, 'utf8')).toBe('before');
  });

  test('cancel interrupts a recv waiting on a silent peer', async () => {
    const { server, port, peers } = await silentServer();
    const rt = threadpoolRt(2, dir);
    try {
      const stream = await rt.connect('127.0.0.1', port);
      const controller = new AbortController();
      const read = stream.read(16, { signal: controller.signal });
      await new Promise((r) => setTimeout(r, 100)); // the recv is now parked in poll()
      controller.abort();
      await expect(read).rejects.toThrow();
      await stream.close();
    } finally {
      await rt.close();
      for (const peer of peers) peer.destroy();
      server.close();
    }
  });

  test('a worker waiting on a silent peer is replaced, so file I/O goes on', async () => {
    const { server, port, peers } = await silentServer();
    writeFileSync(join(dir, 'beside.txt'), 'beside a parked recv');
    const rt = threadpoolRt(1, dir);
    try {
      const stream = await rt.connect('127.0.0.1', port);
      const read = stream.read(16).catch(() => null);
      await new Promise((r) => setTimeout(r, 50));
      const file = await rt.open('beside.txt');
      expect((await file.readAt(0, 6)).toString()).toBe('beside');
      await file.close();
      await stream.close();
      await read;
    } finally {
      await rt.close();
      for (const peer of peers) peer.destroy();
      server.close();
    }
  });

  test('close() interrupts a blocked recv, joins the threads and settles every promise', async () => {
    const { server, port, peers } = await silentServer();
    const rt = threadpoolRt(1, dir);
    const stream = await rt.connect('127.0.0.1', port);
    const reads = [stream.read(16), stream.read(16)];
    const listener = await rt.listen('127.0.0.1', 0);
    const settled = Promise.allSettled([...reads, listener.accept()]);
    await new Promise((r) => setTimeout(r, 100)); // the recv and the accept wait in poll()
    await within(rt.close(), HANG_MS, 'rt.close()', () => describeInFlight(rt));
    for (const outcome of await settled) expect(outcome.status).toBe('rejected');
    for (const peer of peers) peer.destroy();
    server.close();
  });

  test('the executor closes with a recv in progress and no cancel sent first', async () => {
    // The pool waits on the fd of a Node client whose peer never sends.
    const { server, port, peers } = await silentServer();
    const client = connect(port, '127.0.0.1').on('error', () => undefined);
    await once(client, 'connect');
    const socketFd = (client as unknown as { _handle: { fd: number } })._handle.fd;
    const { pool, submit } = rawPool(1);
    submit(Op.Recv, 1, socketFd, new Uint8Array(16), 16, 0, 0);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    pool.close(); // must not hang on the silent peer
    // Synchronous: a hang never gets here. The bound tells an interrupted poll from a timeout
    // (the pool has none), with room for a descheduled thread on a loaded machine.
    expect(Date.now() - started).toBeLessThan(30_000);
    client.destroy();
    for (const peer of peers) peer.destroy();
    server.close();
  });

  test('a sync read completes on the calling thread while every worker is blocked', async () => {
    const fifo = join(dir, 'sync.fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'sync.txt'), 'hello, sync');
    const rt = threadpoolRt(1, dir);
    const file = await rt.open('sync.txt');
    const blocked = rt.open('sync.fifo'); // the only worker waits for the FIFO's writer
    await new Promise((r) => setTimeout(r, 50));
    expect(file.readAtSync(0, 5).toString()).toBe('hello');
    closeSync(openSync(fifo, 'w'));
    await (await blocked.catch(() => null))?.close();
    await file.close();
    await rt.close();
  });

  test('an idle runtime with files open lets the process exit by itself', async () => {
    writeFileSync(join(dir, 'idle.txt'), 'idle');
    const script = join(dir, 'idle.mts');
    const entry = resolve(__dirname, '../src/index.ts');
    writeFileSync(
      script,
      `import { NativeRt } from ${JSON.stringify(entry)};\n` +
        `const rt = NativeRt.builder().threadpool().cwd(${JSON.stringify(dir)}).build();\n` +
        `const file = await rt.open('idle.txt');\n` +
        `console.log(rt.backendName, (await file.readAt(0, 4)).toString());\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    const [code] = await once(child, 'exit');
    clearTimeout(timer);
    expect(output).toContain('threadpool idle');
    expect(code).toBe(0); // not killed by the timeout
  });
});
