// NativeQueue's eager submission (src/backends/engine/native-queue.ts, EAGER_SUBMIT): requests
// queued in one turn go to the executor in one call, unless the last delivery's request waited on
// a device, when they go in groups of 16 as they are queued (the first reaches the disk while JS
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

  /**
   * A request whose completion reaches JS `waitMs` after it was queued, as a disk read's does
   * (the rule looks at that time only): a nop, with this thread kept busy meanwhile. `then` runs
   * in its completion, inside the delivery.
   */
  async function slowRequest(queue: NativeQueue, waitMs: number, then: () => void): Promise<void> {
    const done = new Promise<number>((resolve) =>
      queue.cmd.nop({
        userData: 0,
        complete: (res) => {
          then();
          resolve(res);
        },
      }),
    );
    await Promise.resolve(); // the nop is submitted at the end of this microtask turn
    const until = performance.now() + waitMs;
    while (performance.now() < until);
    expect(await done).toBe(0);
  }

  /** Queue `n` nops now; their results. */
  function nops(queue: NativeQueue, n: number): Promise<number[]> {
    return Promise.all(Array.from({ length: n }, () => call((to) => queue.cmd.nop(to))));
  }

  test('requests of a turn go in one call while completions come at page-cache speed', async () => {
    const { queue, offered } = countedQueue(backend);
    try {
      // A nop's delivery waited on nothing; on a loaded machine one may still take longer than a
      // disk read would: then the turn after it goes in groups, and the next try is made.
      const shapes: number[][] = [];
      for (let attempt = 0; attempt < 20 && !shapes.some((s) => s.length === 1); attempt++) {
        await call((to) => queue.cmd.nop(to));
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
      await slowRequest(queue, 5, () => {
        offered.length = 0;
        batch = nops(queue, 40);
        // Two groups went while this completion handler still runs; the rest at its end.
        expect(offered).toEqual([16, 16]);
      });
      expect(await batch).toEqual(Array(40).fill(0));
      expect(offered).toEqual([16, 16, 8]);
    } finally {
      await queue.close();
    }
  });

  test('a write linked to its fsync is never split from it by a group', async () => {
    const { queue, offered } = countedQueue(backend);
    const path = join(dir, 'linked.bin');
    writeFileSync(path, '');
    const fd = openSync(path, 'r+');
    try {
      let linked: Promise<number> | undefined;
      let batch: Promise<number[]> | undefined;
      await slowRequest(queue, 5, () => {
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
            fd,
            { buffer: Buffer.from('abcd'), offset: 0, length: 4 },
            0,
          );
        });
        expect(offered).toEqual([17]);
      });
      expect(await batch).toEqual(Array(15).fill(0));
      expect(await linked).toBe(4); // 4 bytes written, then 0 from the flush
    } finally {
      closeSync(fd);
      await queue.close();
    }
  });
});
