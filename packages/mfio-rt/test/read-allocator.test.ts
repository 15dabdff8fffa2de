// The buffers the library reads into when the caller gives none come from the page-aligned
// allocator, on every backend: readAt(pos, length), readMany without into, the streams.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@mfio/core';
import { arenaStats, NativeRt } from '../src/index.js';
import { loadAddon } from '../src/native/addon.js';

const pageOffset = loadAddon().pageOffset!;
const data = new SeededRandom(15).bytes(300_000);

describe.each(
  NativeRt.builder()
    .enableAll()
    .buildEach()
    .flatMap((r) => (r.rt ? [r] : [])),
)('$name: allocated read buffers', ({ name, rt: probe }) => {
  let dir: string;
  let rt: NativeRt;
  beforeAll(async () => {
    await probe.close();
    dir = await mkdtemp(join(tmpdir(), 'mfio-alloc-'));
    await writeFile(join(dir, 'f'), data);
    rt = NativeRt.builder().enable(name).build();
  });
  afterAll(async () => {
    await rt.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('readAt(pos, length) of a page or more starts on a page boundary, and reads right', async () => {
    const file = await rt.open(join(dir, 'f'));
    for (const [pos, len] of [
      [4096, 4096],
      [1, 8192],
      [0, 65536],
      [100_000, 200_000],
    ] as const) {
      const got = await file.readAt(pos, len);
      expect(pageOffset(got)).toBe(0);
      expect(got.equals(data.subarray(pos, pos + len))).toBe(true);
    }
    await file.close();
  });

  test('readMany without into: a page-aligned buffer, short tails zeroed', async () => {
    const file = await rt.open(join(dir, 'f'));
    const positions = [0, 299_000, 8192, 299_999, 400_000];
    const result = await file.readMany({ positions, lengths: 4096 });
    expect(pageOffset(result.buffer)).toBe(0);
    positions.forEach((pos, i) => expect(result.at(i).equals(data.subarray(pos, pos + 4096))).toBe(true));
    expect([...result.lengths]).toEqual([4096, 1000, 4096, 1, 0]);
    for (const [from, to] of [
      [4096 + 1000, 8192],
      [3 * 4096 + 1, 5 * 4096],
    ]) {
      expect(result.buffer.subarray(from, to).every((byte) => byte === 0)).toBe(true);
    }
    await file.close();
  });

  test('readToEnd reads a regular file straight into one page-aligned buffer (the size from its metadata)', async () => {
    const file = await rt.open(join(dir, 'f'));
    for (const start of [0, 4096, 299_999, 300_000, 400_000]) {
      const all = await file.readToEnd(start, { chunkSize: 65536 });
      expect(all.equals(data.subarray(start))).toBe(true);
      if (all.length > 8192) expect(pageOffset(all)).toBe(0);
    }
    await file.close();
  });

  test('reads from 16 KiB up take recycled arena memory; smaller ones do not', async () => {
    const file = await rt.open(join(dir, 'f'));
    const allocations = (): number => arenaStats()?.allocations ?? 0;
    const before = allocations();
    await file.readAt(0, 4096);
    await file.readMany({ positions: [0, 8192], lengths: 1000 });
    expect(allocations()).toBe(before);
    const got = await file.readAt(1000, 65536);
    expect(got.equals(data.subarray(1000, 1000 + 65536))).toBe(true);
    const many = await file.readMany({ positions: [0, 4096, 299_990], lengths: 8192 });
    expect(many.at(2).equals(data.subarray(299_990))).toBe(true);
    expect(many.buffer.subarray(2 * 8192 + 10).every((byte) => byte === 0)).toBe(true);
    if (arenaStats() !== undefined) expect(allocations()).toBe(before + 2);
    await file.close();
  });

  test('sync reads take no arena memory: a readAtSync loop never lets it come back', async () => {
    const file = await rt.open(join(dir, 'f'));
    if (name === 'libuv') {
      // node:fs cannot block on one completion: nothing sync to allocate for.
      expect(() => file.readAtSync(0, 65536)).toThrow(expect.objectContaining({ code: 'ERR_MFIO_CANNOT_BLOCK' }));
      await file.close();
      return;
    }
    const before = arenaStats()?.allocations ?? 0;
    for (let i = 0; i < 200; i++) {
      const pos = (i * 7919) % 200_000;
      const got = file.readAtSync(pos, 65536);
      expect(pageOffset(got)).toBe(0);
      expect(got.equals(data.subarray(pos, pos + 65536))).toBe(true);
    }
    const short = file.readExactAtSync(200_000, 50_000);
    expect(short.equals(data.subarray(200_000, 250_000))).toBe(true);
    expect(arenaStats()?.allocations ?? 0).toBe(before);
    await file.close();
  });

  test('a short readAt(pos, length) at end of file zeroes the rest of its memory', async () => {
    const file = await rt.open(join(dir, 'f'));
    const got = await file.readAt(299_990, 20_000);
    expect(got.equals(data.subarray(299_990))).toBe(true);
    expect(Buffer.from(got.buffer, got.byteOffset + 10, 20_000 - 10).every((byte) => byte === 0)).toBe(true);
    await file.close();
  });
});
