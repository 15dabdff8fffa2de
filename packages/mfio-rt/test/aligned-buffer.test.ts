// alignedBuffer: page-aligned read destinations. O_DIRECT is the kernel's own alignment check:
// it refuses (EINVAL) a buffer that does not start on a logical-block boundary.
import { closeSync, constants, openSync, readSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alignedBuffer } from '../src/index.js';

describe('alignedBuffer()', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-aligned-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('gives a zeroed Buffer of the size asked', () => {
    for (const size of [0, 1, 4095, 4096, 1 << 20]) {
      const buffer = alignedBuffer(size);
      expect(Buffer.isBuffer(buffer)).toBe(true);
      expect(buffer.length).toBe(size);
      expect(buffer.every((byte) => byte === 0)).toBe(true);
    }
  });

  test('rejects a size that is not an integer from 0 to the largest Buffer', () => {
    for (const size of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => alignedBuffer(size)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    }
  });

  const directIo = process.platform === 'linux' ? test : test.skip;
  directIo('starts on a page boundary: O_DIRECT reads into it, where it refuses a misaligned one', () => {
    const path = join(dir, 'direct.bin');
    writeFileSync(path, Buffer.alloc(1 << 16, 0x5a));
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
    } catch (error) {
      // A file system without O_DIRECT (tmpfs): nothing to check with here.
      expect((error as NodeJS.ErrnoException).code).toBe('EINVAL');
      return;
    }
    try {
      const aligned = alignedBuffer(1 << 16);
      expect(readSync(fd, aligned, 0, 1 << 16, 0)).toBe(1 << 16);
      expect(aligned.every((byte) => byte === 0x5a)).toBe(true);
      expect(() => readSync(fd, aligned.subarray(1), 0, 4096, 0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    } finally {
      closeSync(fd);
    }
  });

  test('is ordinary GC-managed memory: a loop that drops them does not grow the process', () => {
    // 2 GiB through 16 MiB buffers, with no turn of the event loop for finalizers to run in.
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 128; i++) alignedBuffer(16 << 20)[0] = 1;
    expect(process.memoryUsage().rss - before).toBeLessThan(1 << 30);
  });
});
