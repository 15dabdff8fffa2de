// readMany merging against a real file on every backend that starts here: the native ones take
// the merged batch whole (ReadBatch), libuv as one view per read. Whatever merges, each request
// must get exactly the bytes it would get read alone, short at end of file included.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom, type ReadManyOptions } from '@mfio/core';
import { NativeRt, type BackendName } from '../src/index.js';

type Request = [position: number, length: number];

const results = NativeRt.builder().enableAll().buildEach();
for (const r of results) void r.rt?.close();
const available = results.filter((r) => r.rt !== undefined).map((r) => r.name);

/**
 * A seeded batch over a file of `size` bytes: runs read back to back (merged into the result),
 * the same runs out of order and overlapping or duplicate requests (merged through scratch),
 * gaps around `maxGap`, unions around `maxMergedSize`, empty requests, requests past and
 * across the end, and random ones.
 */
function requestsFor(random: SeededRandom, size: number, maxMergedSize: number, maxGap: number, count: number): Request[] {
  const out: Request[] = [];
  const len = (): number => random.range(1, 8192);
  while (out.length < count) {
    const pos = random.int(size);
    const kind = random.int(8);
    if (kind <= 1) {
      const run: Request[] = [];
      let at = pos;
      for (let k = random.range(2, 40); k > 0; k--) {
        const l = len();
        run.push([at, l]);
        at += l;
      }
      out.push(...(kind === 0 ? run : random.shuffle(run)));
    } else if (kind === 2) {
      const l = len();
      out.push([pos, l], [pos + random.int(l), len()], [pos, l]);
    } else if (kind === 3) {
      out.push([pos, 0], [size + random.int(1000), random.range(0, 100)], [Math.max(0, size - random.int(5000)), len()]);
    } else if (kind === 4) {
      const l = len();
      out.push([pos, l], [pos + l + Math.max(0, maxGap + random.range(-1, 1)), len()]);
    } else if (kind === 5 && maxMergedSize > 1) {
      const first = random.range(1, maxMergedSize - 1);
      out.push([pos, first], [pos + first, maxMergedSize - first + random.int(2)]);
    } else {
      out.push([random.int(size + 10_000), len()]);
    }
  }
  return out;
}

const LIMITS: ReadManyOptions[] = [{}, { maxMergedSize: 65536, maxGap: 4096 }, { maxMergedSize: 8192, maxGap: 0 }, { maxMergedSize: 0 }];

// None starts (an odd sandbox): one skipped case says so.
const describeEach = available.length > 0 ? describe.each(available) : describe.skip.each<BackendName>(['libuv']);

describeEach('readMany merging on %s', (name) => {
  let dir: string;
  let data: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-merge-'));
    data = Buffer.from(new SeededRandom(7).bytes(3 * 1024 * 1024 + 123));
    await writeFile(join(dir, 'data.bin'), data);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test.each(LIMITS)('seeded batches read exactly what each request reads alone, with and without into (%p)', async (limits) => {
    const rt = NativeRt.builder().enable(name).build();
    const file = await rt.open(join(dir, 'data.bin'));
    try {
      const random = new SeededRandom(11);
      for (let round = 0; round < 6; round++) {
        const requests = requestsFor(random, data.length, limits.maxMergedSize ?? 1 << 20, limits.maxGap ?? 0, round % 2 === 0 ? 300 : 3000);
        const total = requests.reduce((sum, [, l]) => sum + l, 0);
        const into = round >= 4 ? Buffer.alloc(total + 16, 0xee) : undefined;
        const result = await file.readMany(requests, { ...limits, ...(into === undefined ? {} : { into }) });
        requests.forEach(([position, length], i) => {
          const start = Math.min(position, data.length);
          const expected = data.subarray(start, Math.min(position + length, data.length));
          if (result.lengths[i] !== expected.length || !result.at(i).equals(expected)) {
            throw new Error(
              `${name}, round ${round}, request ${i} (${length} at ${position}): ${result.lengths[i]} bytes, not the ${expected.length} read alone`,
            );
          }
        });
        if (into !== undefined) {
          expect(result.buffer.buffer).toBe(into.buffer);
          expect(into.subarray(total).every((b) => b === 0xee)).toBe(true);
        }
      }
    } finally {
      await file.close();
      await rt.close();
    }
  });
});
