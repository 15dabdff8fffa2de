// io_uring's cooperative task running (src/native/io_uring/ring.cc, IORING_SETUP_COOP_TASKRUN):
// a request finished off the JS thread (an io-wq worker runs every buffered write on ext4, and
// every fsync) is posted to the CQ when the JS thread next enters the kernel, not by
// interrupting it. What must hold: those completions still reach a JS thread that is asleep in
// the loop, one that was busy in JavaScript without a system call, and one blocked in a sync call.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt } from '../src/index.js';
import { uringQueue, uringStarts } from './support/uring.js';

const describeUring = process.platform === 'linux' && uringStarts() ? describe : describe.skip;

/** COOP_TASKRUN came in Linux 5.19. */
function kernelHasCoop(): boolean {
  const [major = 0, minor = 0] = release().split('.').map(Number);
  return major > 5 || (major === 5 && minor >= 19);
}

describeUring('io_uring posts off-thread completions cooperatively', () => {
  let dir: string;
  // On a disk filesystem (ext4) every buffered write goes to io-wq; on tmpfs only the flushes do.
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-taskrun-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('the ring says how it posts them', async () => {
    const { queue, info } = uringQueue(8);
    try {
      // Older kernels may have it backported: there either answer is right.
      if (kernelHasCoop()) expect(info().taskRun).toBe('cooperative');
      else expect(['cooperative', 'interrupt']).toContain(info().taskRun);
    } finally {
      await queue.close();
    }
  });

  test('writes and flushes reach a JS thread asleep in the loop', async () => {
    const rt = NativeRt.builder().enable('io_uring').build();
    const path = join(dir, 'asleep.bin');
    const file = await rt.open(path, { write: true, create: true });
    try {
      // 64 in flight, 512 in all: the loop sleeps between batches of completions.
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < 512) {
            const i = next++;
            await file.writeAllAt(i * 4096, Buffer.alloc(4096, i & 0xff));
          }
        }),
      );
      await file.writeDurable(512 * 4096, Buffer.alloc(4096, 0xee));
      await file.datasync();
    } finally {
      await file.close();
      await rt.close();
    }
    const bytes = await readFile(path);
    expect(bytes.length).toBe(513 * 4096);
    for (let i = 0; i < 512; i++) expect(bytes[i * 4096 + 4095]).toBe(i & 0xff);
    expect(bytes[512 * 4096]).toBe(0xee);
  });

  test('a JS thread busy without a system call gets them when it returns to the loop', async () => {
    const rt = NativeRt.builder().enable('io_uring').build();
    const file = await rt.open(join(dir, 'busy.bin'), { write: true, create: true });
    try {
      const writes = Array.from({ length: 64 }, (_, i) => file.writeAllAt(i * 4096, Buffer.alloc(4096, 1)));
      // Submitted at the end of this microtask turn; then the thread computes for 50 ms.
      await Promise.resolve();
      const until = performance.now() + 50;
      let spins = 0;
      while (performance.now() < until) spins++;
      expect(spins).toBeGreaterThan(0);
      await Promise.all(writes);
      await file.datasync();
    } finally {
      await file.close();
      await rt.close();
    }
  });

  test('a sync call blocked on the ring gets them', async () => {
    const rt = NativeRt.builder().enable('io_uring').build();
    const path = join(dir, 'sync.bin');
    const file = await rt.open(path, { write: true, read: true, create: true });
    try {
      for (let i = 0; i < 64; i++) file.writeAllAtSync(i * 4096, Buffer.alloc(4096, 7));
      expect(file.readAtSync(63 * 4096, 4096).every((b) => b === 7)).toBe(true);
    } finally {
      await file.close();
      await rt.close();
    }
  });
});
