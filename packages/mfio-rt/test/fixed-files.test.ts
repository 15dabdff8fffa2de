// io_uring's registered files (src/native/io_uring/fixed_files.h): a file the ring opened is read
// by its index in the ring's file table. What must hold: every read gets its own file's bytes,
// whatever fd numbers are reused; fds the ring did not open are never registered; a ring without
// a table (switched off, or io_uring_register refused) reads the same through plain fds.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt } from '../src/index.js';
import type { NativeQueue } from '../src/backends/engine/native-queue.js';
import { cPath, type Pending } from '../src/backends/engine/command-builder.js';
import { uringQueue as ring, uringStarts } from './support/uring.js';

const fixtures = join(__dirname, 'fixtures');

const describeUring = process.platform === 'linux' && uringStarts() ? describe : describe.skip;

const call = (submit: (to: Pending) => void): Promise<number> => new Promise((resolve) => submit({ userData: 0, complete: resolve }));

/** A file of `size` bytes whose every 4-byte word names the file and its position. */
function writePattern(path: string, tag: number, size: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) data.writeUInt32LE((tag * 0x9e3779b1 + i) >>> 0, i);
  writeFileSync(path, data);
  return data;
}

describeUring('io_uring registered files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-fixed-files-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function readThrough(queue: NativeQueue, fd: number, position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    const n = await call((to) => queue.cmd.read(to, fd, { buffer, offset: 0, length }, position));
    expect(n).toBe(length);
    return buffer;
  }

  test('a file the ring opened is registered at its first read and leaves the table at its close', async () => {
    const path = join(dir, 'own.bin');
    const data = writePattern(path, 1, 1 << 16);
    const { queue, info } = ring();
    try {
      expect(info()).toMatchObject({ fixedFiles: 'on', registeredFiles: 0 });
      const fd = await call((to) => queue.cmd.openAt(to, cPath(path), 0, 0));
      expect(info().registeredFiles).toBe(0); // not before it is read
      expect((await readThrough(queue, fd, 4096, 4096)).equals(data.subarray(4096, 8192))).toBe(true);
      expect((await readThrough(queue, fd, 12345, 1)).equals(data.subarray(12345, 12346))).toBe(true);
      expect(info().registeredFiles).toBe(1);
      expect(await call((to) => queue.cmd.close(to, fd))).toBe(0);
      expect(info().registeredFiles).toBe(0);
    } finally {
      await queue.close();
    }
  });

  test('a fd the ring did not open stays plain: closed behind its back, its number reads the new file', async () => {
    const { queue, info } = ring();
    try {
      const a = join(dir, 'a.bin');
      const b = join(dir, 'b.bin');
      const dataA = writePattern(a, 2, 8192);
      const dataB = writePattern(b, 3, 8192);
      const fdA = openSync(a, 'r');
      expect((await readThrough(queue, fdA, 0, 4096)).equals(dataA.subarray(0, 4096))).toBe(true);
      expect(info().registeredFiles).toBe(0);
      closeSync(fdA);
      const fdB = openSync(b, 'r'); // most likely fdA's number again
      try {
        expect((await readThrough(queue, fdB, 0, 4096)).equals(dataB.subarray(0, 4096))).toBe(true);
      } finally {
        closeSync(fdB);
      }
    } finally {
      await queue.close();
    }
  });

  test('files opened and closed in turn, their fd numbers reused, each read their own bytes', async () => {
    const rt = NativeRt.builder().ioUring().build();
    try {
      const files = Array.from({ length: 12 }, (_, i) => {
        const path = join(dir, `turn-${i}.bin`);
        return { path, data: writePattern(path, 100 + i, 1 << 16) };
      });
      // One at a time: each open gets the number the last close freed.
      for (let round = 0; round < 3; round++) {
        for (const { path, data } of files) {
          const file = await rt.open(path);
          const got = await file.readMany({ positions: [0, 4096, 60000], lengths: 16 });
          expect(got.at(0).equals(data.subarray(0, 16))).toBe(true);
          expect(got.at(2).equals(data.subarray(60000, 60016))).toBe(true);
          await file.close();
        }
      }
      // Several open, some closed and others opened in their numbers, all read again.
      const open = await Promise.all(files.slice(0, 6).map(({ path }) => rt.open(path)));
      await Promise.all(open.filter((_, i) => i % 2 === 0).map((file) => file.close()));
      const reopened = await Promise.all(files.slice(6, 9).map(({ path }) => rt.open(path)));
      const live = [...open.filter((_, i) => i % 2 === 1), ...reopened];
      const expected = [1, 3, 5, 6, 7, 8].map((i) => files[i]!.data);
      const reads = await Promise.all(live.map((file) => file.readAt(1000, 64)));
      reads.forEach((got, i) => expect(got.equals(expected[i]!.subarray(1000, 1064))).toBe(true));
      await Promise.all(live.map((file) => file.close()));
    } finally {
      await rt.close();
    }
  });

  test('a fd past the table (4,096 entries) stays plain and reads right', async () => {
    const path = join(dir, 'high.bin');
    const data = writePattern(path, 4, 8192);
    const held: number[] = [];
    const { queue, info } = ring();
    try {
      try {
        while (held.length < 4200) held.push(openSync('/dev/null', 'r'));
      } catch {
        return; // RLIMIT_NOFILE below that: nothing to check here
      }
      const fd = await call((to) => queue.cmd.openAt(to, cPath(path), 0, 0));
      expect(fd).toBeGreaterThanOrEqual(4096);
      expect((await readThrough(queue, fd, 4096, 4096)).equals(data.subarray(4096))).toBe(true);
      expect(info().registeredFiles).toBe(0);
      await call((to) => queue.cmd.close(to, fd));
    } finally {
      for (const fd of held) closeSync(fd);
      await queue.close();
    }
  });

  // The child reads through a ring it opened the file with (fixtures/fixed-files-child.mjs).
  const child = (args: string[], env: NodeJS.ProcessEnv = process.env): unknown => {
    const path = join(dir, `child-${args.length}.bin`);
    writePattern(path, 6, 1 << 16);
    const out = execFileSync(args[0]!, [...args.slice(1), process.execPath, join(fixtures, 'fixed-files-child.mjs'), path], {
      encoding: 'utf8',
      timeout: 30_000,
      env,
    });
    return JSON.parse(out.trim());
  };

  test('MFIO_FIXED_FILES=0 turns the table off; reads are the same', () => {
    // `env` runs the child with the variable in its real environment (C++ reads it with getenv).
    expect(child(['env'], { ...process.env, MFIO_FIXED_FILES: '0' })).toEqual({ ok: true, fixedFiles: 'off (MFIO_FIXED_FILES=0)', registeredFiles: 0 });
    expect(child(['env'])).toEqual({ ok: true, fixedFiles: 'on', registeredFiles: 1 });
  });

  test('io_uring_register refused by a seccomp sandbox: plain fds, right bytes, and info() says why', () => {
    const launcher = join(dir, 'deny-io-uring');
    execFileSync('cc', ['-O2', '-o', launcher, join(fixtures, 'deny-io-uring.c')]);
    expect(child([launcher, '--register'])).toEqual({
      ok: true,
      fixedFiles: 'off (IORING_REGISTER_FILES2 failed: Operation not permitted)',
      registeredFiles: 0,
    });
  });
});
