// NativeQueue's eager submission (src/backends/engine/native-queue.ts, EAGER_SUBMIT): requests
// queued in one turn go to the executor in one call, unless the last delivery's first read or
// write waited on a device, when they go in groups of 16 as they are queued (the first reaches the disk while JS
// still settles the rest). What must hold: page-cache speed keeps one call a turn; a completion
// that came late switches to groups; a write linked to its fsync is never split from it; every
// request still completes. The executors are the real ones, counted on their way in.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeQueue } from '../src/backends/engine/native-queue.js';
import type { Pending } from '../src/backends/engine/command-builder.js';
import { loadAddon, type NativeExecutor, type NativeExecutorClass } from '../src/native/addon.js';

type Backend = 'io_uring' | 'threadpool';

function starts(backend: Backend): boolean {
  try {
    const addon = loadAddon();
    const Executor = backend === 'io_uring' ? addon.UringExecutor : addon.ThreadpoolExecutor;
    if (Executor === undefined) return false;
    new Executor(2, new Int32Array(16), () => {}).close();
    return true;
  } catch {
    return false;
  }
}

const backends = (['io_uring', 'threadpool'] as const).filter((b) => process.platform === 'linux' && starts(b));

/** A queue on a real executor whose submit() calls are recorded: how many commands each offered. */
function countedQueue(backend: Backend): { queue: NativeQueue; offered: number[] } {
  const addon = loadAddon();
  const Executor = (backend === 'io_uring' ? addon.UringExecutor : addon.ThreadpoolExecutor)!;
  const offered: number[] = [];
  // The native methods are read-only: the queue gets an object that passes every call on.
  const Counted = function (...args: ConstructorParameters<NativeExecutorClass>): NativeExecutor {
    const executor = new Executor(...args);
    return {
      submit: (commands, count, buffers) => {
        offered.push(count);
        return executor.submit(commands, count, buffers);
      },
      wait: (min) => executor.wait(min),
      drain: () => executor.drain(),
      setActive: (active) => executor.setActive(active),
      close: () => executor.close(),
      info: () => executor.info(),
    };
  } as unknown as NativeExecutorClass;
  return { queue: new NativeQueue(backend, Counted, backend === 'io_uring' ? 256 : 4), offered };
}

const call = (submit: (to: Pending) => void): Promise<number> => new Promise((resolve) => submit({ userData: 0, complete: resolve }));

describe.each(backends)('%s: eager submission', (backend) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-eager-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A file of 4 KiB to read, open for the test's queue (a read from the page cache). */
  let fd: number;
  beforeAll(() => {
    const path = join(dir, 'read.bin');
    writeFileSync(path, Buffer.alloc(4096, 1));
    fd = openSync(path, 'r+');
  });
  afterAll(() => closeSync(fd));

  /**
   * A read whose completion reaches JS `waitMs` after it was queued, as a disk read's does (the
   * rule looks at that time only): this thread is kept busy meanwhile. `then` runs in its
   * completion, inside the delivery.
   */
  async function slowRead(queue: NativeQueue, waitMs: number, then: () => void): Promise<void> {
    const done = new Promise<number>((resolve) =>
      queue.cmd.read(
        {
          userData: 0,
          complete: (res) => {
            then();
            resolve(res);
          },
        },
        fd,
        { buffer: Buffer.alloc(4096), offset: 0, length: 4096 },
        0,
      ),
    );
    await Promise.resolve(); // the read is submitted at the end of this microtask turn
    const until = performance.now() + waitMs;
    while (performance.now() < until);
    expect(await done).toBe(4096);
  }

  /** A read completed as soon as the loop gets to it. */
  function read(queue: NativeQueue): Promise<number> {
    return call((to) => queue.cmd.read(to, fd, { buffer: Buffer.alloc(4096), offset: 0, length: 4096 }, 0));
  }

  /** Queue `n` nops now; their results. */
  function nops(queue: NativeQueue, n: number): Promise<number[]> {
    return Promise.all(Array.from({ length: n }, () => call((to) => queue.cmd.nop(to))));
  }

  test('requests of a turn go in one call while completions come at page-cache speed', async () => {
    const { queue, offered } = countedQueue(backend);
    try {
      // A page-cache read's delivery waited on nothing; on a loaded machine one may still come
      // later than a disk read would: then the turn after it goes in groups, and another is tried.
      const shapes: number[][] = [];
      for (let attempt = 0; attempt < 20 && !shapes.some((s) => s.length === 1); attempt++) {
        expect(await read(queue)).toBe(4096);
        offered.length = 0;
        expect(await nops(queue, 40)).toEqual(Array(40).fill(0));
        shapes.push([...offered]);
      }
      expect(shapes.at(-1)).toEqual([40]);
      for (const shape of shapes.slice(0, -1)) expect(shape).toEqual([16, 16, 8]);
    } finally {
      await queue.close();
    }
  });

  test('after a request that waited on a device, they go in groups of 16 as they are queued', async () => {
    const { queue, offered } = countedQueue(backend);
    try {
      let batch: Promise<number[]> | undefined;
      let inHandler: number[] = [];
      await slowRead(queue, 5, () => {
        offered.length = 0;
        batch = nops(queue, 40);
        inHandler = [...offered];
      });
      // Two groups went while the completion handler still ran; the rest at its end.
      expect(inHandler).toEqual([16, 16]);
      expect(await batch).toEqual(Array(40).fill(0));
      expect(offered).toEqual([16, 16, 8]);
    } finally {
      await queue.close();
    }
  });

  test('a late completion of an operation that is not a read or write changes nothing', async () => {
    const { queue, offered } = countedQueue(backend);
    try {
      // A nop delivered 5 ms after it was queued, as a recv waiting for a peer or an fsync is.
      let batch: Promise<number[]> | undefined;
      let inHandler: number[] = [];
      const done = new Promise<number>((resolve) =>
        queue.cmd.nop({
          userData: 0,
          complete: (res) => {
            offered.length = 0;
            batch = nops(queue, 40);
            inHandler = [...offered];
            resolve(res);
          },
        }),
      );
      await Promise.resolve();
      const until = performance.now() + 5;
      while (performance.now() < until);
      expect(await done).toBe(0);
      expect(inHandler).toEqual([]);
      expect(await batch).toEqual(Array(40).fill(0));
      expect(offered).toEqual([40]);
    } finally {
      await queue.close();
    }
  });

  test('a write linked to its fsync is never split from it by a group', async () => {
    const { queue, offered } = countedQueue(backend);
    const path = join(dir, 'linked.bin');
    writeFileSync(path, '');
    const out = openSync(path, 'r+');
    try {
      let linked: Promise<number> | undefined;
      let batch: Promise<number[]> | undefined;
      let inHandler: number[] = [];
      await slowRead(queue, 5, () => {
        offered.length = 0;
        batch = nops(queue, 15);
        // The 16th command is the write, linked to the fsync after it: the group waits for it.
        linked = new Promise((resolve) => {
          const results: number[] = [];
          queue.cmd.writeThenDatasync(
            {
              userData: 0,
              complete: (res, index) => {
                results[index] = res;
                if (results.filter((r) => r !== undefined).length === 2) resolve(results[0]! + results[1]!);
              },
            },
            out,
            { buffer: Buffer.from('abcd'), offset: 0, length: 4 },
            0,
          );
        });
        inHandler = [...offered];
      });
      expect(inHandler).toEqual([17]);
      expect(await batch).toEqual(Array(15).fill(0));
      expect(await linked).toBe(4); // 4 bytes written, then 0 from the flush
    } finally {
      closeSync(out);
      await queue.close();
    }
  });
});
