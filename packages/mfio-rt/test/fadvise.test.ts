// FADVISE, the op added to show what a new native operation takes: a row in commands/table.mjs,
// a builder (queue.cmd.fadvise) and a handler in each executor that runs it. It goes to the real
// kernel through each POSIX executor.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeQueue } from '../src/backends/engine/native-queue.js';
import { loadAddon, type NativeExecutorClass } from '../src/native/addon.js';

const POSIX_FADV_RANDOM = 1;
const EBADF = -9;
const EINVAL = -22;

function executors(): Array<[string, NativeExecutorClass]> {
  try {
    const addon = loadAddon();
    return [
      ['io_uring', addon.UringExecutor],
      ['threadpool', addon.ThreadpoolExecutor],
    ].filter((entry): entry is [string, NativeExecutorClass] => entry[1] !== undefined);
  } catch {
    return [];
  }
}

const available = executors();
const describeEach = process.platform === 'linux' && available.length > 0 ? describe.each(available) : describe.skip.each([['none', undefined]]);

describeEach('fadvise on %s', (name, Executor) => {
  let dir: string;
  let queue: NativeQueue;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-fadvise-'));
    queue = new NativeQueue(name, Executor!, 64);
  });

  afterEach(async () => {
    await queue.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fadvise = (fd: number, offset: number, length: number, advice: number): Promise<number> =>
    new Promise((resolve) => queue.cmd.fadvise({ userData: 0, complete: resolve }, fd, offset, length, advice));

  test('advises an open file: 0', async () => {
    const path = join(dir, 'data.bin');
    writeFileSync(path, Buffer.alloc(64 * 1024, 7));
    const fd = openSync(path, 'r');
    try {
      expect(await fadvise(fd, 0, 0, POSIX_FADV_RANDOM)).toBe(0);
      expect(await fadvise(fd, 4096, 8192, POSIX_FADV_RANDOM)).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  test("answers the kernel's errors: EINVAL for unknown advice, EBADF for a fd not open", async () => {
    const path = join(dir, 'data.bin');
    writeFileSync(path, 'x');
    const fd = openSync(path, 'r');
    try {
      expect(await fadvise(fd, 0, 0, 99)).toBe(EINVAL);
    } finally {
      closeSync(fd);
    }
    // Far above any descriptor this process holds (a just-closed number could be reused meanwhile).
    expect(await fadvise(999_999, 0, 0, POSIX_FADV_RANDOM)).toBe(EBADF);
  });
});
