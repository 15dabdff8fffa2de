import { SeededRandom, type MfioError } from '@mfio/core';
import type { FileHandle, OpenOptions } from '@mfio/rt';
import type { SuiteContext } from './context.js';
import type { FixtureFile } from './fixture.js';
import { sameBytes } from './helpers.js';

function largeFile(ctx: SuiteContext): FixtureFile {
  const large = ctx.fixture.files.find((f) => f.path.startsWith('large/'));
  if (large === undefined) throw new Error('the fixture has no large file (MFIO_TEST_LARGE_FILES=0?)');
  return large;
}

/** The file's bytes read back through an ordinary (buffered) handle. */
async function bufferedBytes(ctx: SuiteContext, path: string): Promise<Buffer> {
  const file = await ctx.fs.open(path);
  try {
    return await file.readToEnd();
  } finally {
    await file.close();
  }
}

/** Apply a write to the model of a file's bytes: what the file must hold afterwards. */
function applied(model: Buffer, position: number, data: Uint8Array): Buffer {
  const end = position + data.length;
  const out = end > model.length ? Buffer.concat([model, Buffer.alloc(end - model.length)]) : model;
  out.set(data, position);
  return out;
}

async function openDirect(ctx: SuiteContext, path: string, options: OpenOptions): Promise<FileHandle> {
  const file = await ctx.fs.open(path, { read: true, direct: true, ...options });
  expect(file.directIo).not.toBeNull();
  return file;
}

/**
 * Direct I/O (`open(path, { direct: true })`): any position and length through aligned bounce
 * buffers, the same bytes as buffered I/O, writes ordered per block, and a clear refusal where
 * the filesystem has no O_DIRECT. `refusedPath` is a file whose filesystem refuses it (procfs
 * on Linux), or the reason there is none.
 */
export function directCases(ctx: SuiteContext, refusedPath: string | { unavailable: string }): void {
  describe('direct I/O', () => {
    ctx.test('direct: reads at any position and length match the file, past its end too', async () => {
      const { path, data } = largeFile(ctx);
      const file = await openDirect(ctx, ctx.absolute(path), {});
      try {
        const { offset } = file.directIo!;
        const random = new SeededRandom(19);
        for (let i = 0; i < 600; i++) {
          const kind = i % 6;
          // Unaligned everything; then aligned reads into aligned memory (straight to the
          // device); then reads that cross or start past the end.
          const position =
            kind === 3
              ? random.int(Math.floor(data.length / offset)) * offset
              : kind === 4
                ? data.length - random.int(3 * offset)
                : kind === 5
                  ? data.length + random.int(offset)
                  : random.int(data.length);
          const length = kind === 3 ? random.range(1, 8) * offset : random.range(1, 3 * offset + 7);
          const expected = data.subarray(Math.min(position, data.length), Math.min(position + length, data.length));
          // Without a destination, whole pages come from the file's allocator, page-aligned.
          const got = kind === 3 ? await file.readAt(position, length) : null;
          const into = kind === 1 ? Buffer.alloc(length + 3).subarray(3) : Buffer.alloc(length);
          const n = got === null ? await file.readAt(position, into) : got.length;
          expect(n).toBe(expected.length);
          sameBytes((got ?? into).subarray(0, n), expected, `read ${i}: ${length} at ${position}`);
        }
        const stats = file.directIo!;
        expect(stats.straight).toBeGreaterThan(0);
        expect(stats.bounced).toBeGreaterThan(0);
        // Whole blocks move: never fewer bytes than asked for within the file.
        expect(stats.readFromDevice).toBeGreaterThan(0);
      } finally {
        await file.close();
      }
    });

    ctx.test('direct: readMany reads requests that share blocks once, byte for byte', async () => {
      const { path, data } = largeFile(ctx);
      const file = await openDirect(ctx, ctx.absolute(path), {});
      try {
        const random = new SeededRandom(1919);
        // Clusters of small reads a few bytes apart (records of one page), and lone ones.
        const requests: Array<[number, number]> = [];
        for (let c = 0; c < 40; c++) {
          const base = random.int(data.length - 65536);
          for (let k = 0; k < 8; k++) requests.push([base + k * 300 + random.int(100), random.range(1, 200)]);
        }
        requests.push([data.length - 5, 100], [data.length + 10, 10], [7, 0]);
        const before = file.directIo!.bounced;
        const result = await file.readMany(requests);
        requests.forEach(([position, length], i) => {
          const expected = data.subarray(Math.min(position, data.length), Math.min(position + length, data.length));
          expect(result.lengths[i]).toBe(expected.length);
          sameBytes(result.at(i), expected, `request ${i}: ${length} at ${position}`);
        });
        // 320 clustered requests in 40 runs of a few blocks (plus the lone ones): far fewer reads.
        expect(file.directIo!.bounced - before).toBeLessThan(requests.length / 2);
      } finally {
        await file.close();
      }
    });

    ctx.test('direct: unaligned writes patch whole blocks, extend the file and read back', async () => {
      const dir = await ctx.scratch();
      const path = ctx.paths.join(dir.path(), 'direct-writes.bin');
      const file = await openDirect(ctx, path, { write: true, createNew: true });
      let model: Buffer = Buffer.alloc(0);
      try {
        const random = new SeededRandom(77);
        for (let i = 0; i < 150; i++) {
          // Mostly within the file, some past its end (a hole of zeros), some at its end.
          const position = i % 5 === 0 ? model.length + random.int(3000) : i % 5 === 1 ? model.length : random.int(model.length + 1);
          const data = Buffer.alloc(random.range(1, 9000), (i % 250) + 1);
          await file.writeAllAt(position, data);
          model = applied(model, position, data);
          if (i % 25 === 0) expect((await file.metadata()).len).toBe(model.length);
        }
        expect((await file.metadata()).len).toBe(model.length);
        const back = Buffer.alloc(model.length);
        expect(await file.readAt(0, back)).toBe(model.length);
        sameBytes(back, model, 'read back through the direct handle');
      } finally {
        await file.close();
      }
      sameBytes(await bufferedBytes(ctx, path), model, 'read back through a buffered handle');
    });

    ctx.test('direct: concurrent overlapping writes land in the order they were made (seeded model)', async () => {
      const dir = await ctx.scratch();
      const path = ctx.paths.join(dir.path(), 'direct-concurrent.bin');
      const file = await openDirect(ctx, path, { write: true, createNew: true });
      let model: Buffer = Buffer.alloc(0);
      try {
        await file.writeAllAt(0, Buffer.alloc(20_000, 0xee));
        model = applied(model, 0, Buffer.alloc(20_000, 0xee));
        const random = new SeededRandom(4242);
        const writes: Array<Promise<void>> = [];
        for (let i = 0; i < 300; i++) {
          // A small region, so most writes share a block with several others; a few past the end.
          const position = i % 10 === 9 ? model.length + random.int(2000) : random.int(24_000);
          const data = Buffer.alloc(random.range(1, 1500), (i % 254) + 1);
          writes.push(file.writeAllAt(position, data));
          model = applied(model, position, data);
        }
        await Promise.all(writes);
        expect((await file.metadata()).len).toBe(model.length);
      } finally {
        await file.close();
      }
      sameBytes(await bufferedBytes(ctx, path), model, 'the file after 300 concurrent writes');
    });

    ctx.test('direct: setLen shortens and extends; writes and reads around the new end', async () => {
      const dir = await ctx.scratch();
      const path = ctx.paths.join(dir.path(), 'direct-setlen.bin');
      const file = await openDirect(ctx, path, { write: true, createNew: true });
      try {
        await file.writeAllAt(0, Buffer.alloc(10_000, 1));
        await file.setLen(3_001);
        expect(await file.readAt(3_000, 100)).toEqual(Buffer.from([1]));
        await file.writeAllAt(5_000, Buffer.from('tail'));
        await file.setLen(6_000);
        const back = await file.readAt(0, 7_000);
        const expected = Buffer.alloc(6_000);
        expected.fill(1, 0, 3_001).write('tail', 5_000);
        sameBytes(back, expected, 'after shortening, a write past the end and extending');
      } finally {
        await file.close();
      }
    });

    ctx.test('direct: a write made while a setLen shrinks the file lands after it, and the length follows', async () => {
      const dir = await ctx.scratch();
      const path = ctx.paths.join(dir.path(), 'direct-shrink.bin');
      const file = await openDirect(ctx, path, { write: true, createNew: true });
      try {
        await file.writeAllAt(0, Buffer.alloc(8192, 9));
        // Both made at once: the write was sized against 8 KiB, but runs after the cut to 100.
        await Promise.all([file.setLen(100), file.writeAllAt(200, Buffer.alloc(100, 5))]);
        expect((await file.metadata()).len).toBe(300);
        const expected = Buffer.alloc(300);
        expected.fill(9, 0, 100).fill(5, 200, 300);
        sameBytes(await file.readAt(0, 8192), expected, 'after the shrink and the write');
      } finally {
        await file.close();
      }
      sameBytes(
        (await bufferedBytes(ctx, path)).subarray(0, 400),
        Buffer.concat([Buffer.alloc(100, 9), Buffer.alloc(100), Buffer.alloc(100, 5)]),
        'read buffered',
      );
    });

    ctx.test('direct: append cannot be combined with direct (EINVAL, saying so)', async () => {
      const dir = await ctx.scratch();
      const error = (await ctx.fs
        .open(ctx.paths.join(dir.path(), 'append.bin'), { append: true, create: true, direct: true })
        .catch((e: unknown) => e)) as MfioError;
      expect(error).toMatchObject({ code: 'EINVAL', syscall: 'open' });
      expect(error.message).toMatch(/append/);
    });

    const refused = typeof refusedPath === 'string' ? refusedPath : null;
    const refusal = "a filesystem that refuses O_DIRECT fails the open with EINVAL saying so; 'prefer' opens it buffered";
    if (refused === null) test.skip(`direct: ${refusal} (skipped: ${(refusedPath as { unavailable: string }).unavailable})`, () => undefined);
    else
      ctx.test(`direct: ${refusal}`, async () => {
        const error = (await ctx.fs.open(refused, { read: true, direct: true }).catch((e: unknown) => e)) as MfioError;
        expect(error).toMatchObject({ code: 'EINVAL', syscall: 'open', path: refused });
        expect(error.message).toMatch(/refuses direct I\/O/);
        const file = await ctx.fs.open(refused, { read: true, direct: 'prefer' });
        try {
          expect(file.directIo).toBeNull();
          expect((await file.readToEnd()).length).toBeGreaterThan(0);
        } finally {
          await file.close();
        }
      });
  });
}
