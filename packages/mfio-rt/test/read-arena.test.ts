// The read arena (src/memory/read-arena.ts, src/native/common/read_arena.cc): recycled,
// page-aligned read destinations handed out as external Buffers. What needs a fresh arena or a
// collection on demand runs in a child (`node --expose-gc`, test/fixtures/arena-child.mjs).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt, arenaBuffer, arenaStats, configureArena, trimArena, type BackendName } from '../src/index.js';
import { loadAddon } from '../src/native/addon.js';

function addonHasArena(): boolean {
  try {
    return loadAddon().arenaAllocate !== undefined;
  } catch {
    return false;
  }
}

const hasArena = addonHasArena();
const describeArena = hasArena ? describe : describe.skip;

/** Run the fixture in `mode`; its last line of output is JSON. */
function child(mode: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--expose-gc', join(__dirname, 'fixtures', 'arena-child.mjs'), mode], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('arenaBuffer()', () => {
  test('rejects a length that is not an integer from 0 to the largest Buffer, and a non-boolean zero', () => {
    for (const length of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => arenaBuffer(length)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    }
    expect(() => arenaBuffer('1' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => arenaBuffer(1, { zero: 1 as unknown as boolean })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  test('is undefined exactly where the addon has no arena', () => {
    expect(arenaBuffer(4096) === undefined).toBe(!hasArena);
    expect(arenaStats() === undefined).toBe(!hasArena);
  });
});

describeArena('arenaBuffer() with the native arena', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-arena-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('gives Buffers of the length asked, starting on a page boundary', () => {
    const { pageOffset } = loadAddon();
    // Every class from 4 KiB to 256 MiB is carved the same way; 257 MiB is a mapping of its own.
    for (const length of [1, 4095, 4096, 4097, 65536, 1 << 20, (4 << 20) + 1, 257 << 20]) {
      const buffer = arenaBuffer(length)!;
      expect(Buffer.isBuffer(buffer)).toBe(true);
      expect(buffer.length).toBe(length);
      expect(buffer.byteOffset).toBe(0);
      expect(pageOffset!(buffer)).toBe(0);
      buffer[0] = 1;
      buffer[length - 1] = 2;
    }
    expect(arenaBuffer(0)!.length).toBe(0);
  });

  test('never hands out a block twice while its Buffer lives', () => {
    // Many live Buffers of mixed sizes, each filled with its own pattern: none overwrote another.
    const sizes = [4096, 8192, 65536, 100_000, 1 << 20];
    const buffers: Buffer[] = [];
    for (let i = 0; i < 600; i++) {
      const buffer = arenaBuffer(sizes[i % sizes.length]!)!;
      buffer.fill(i & 0xff);
      buffer.writeUInt32LE(i, 0);
      buffers.push(buffer);
    }
    buffers.forEach((buffer, i) => {
      expect(buffer.readUInt32LE(0)).toBe(i);
      expect(buffer.subarray(4).equals(Buffer.alloc(buffer.length - 4, i & 0xff))).toBe(true);
    });
    const stats = arenaStats()!;
    expect(stats.blocksLive).toBeGreaterThanOrEqual(600);
    expect(stats.bytesLive).toBeGreaterThanOrEqual(buffers.reduce((sum, b) => sum + b.length, 0));
  });

  test('comes back when collected, into the same memory, not zeroed unless asked', () => {
    const result = child('recycle');
    expect(result).toMatchObject({ blocksLiveAfterCollect: 0, notZeroed: true, viewKept: true, zeroed: true });
    // 20 rounds of 32 MiB: the first round's chunks serve every later one.
    expect(result.mappedAfter).toBeLessThanOrEqual((result.mappedBefore as number) + (32 << 20));
    expect(result.recycled).toBeGreaterThan(600);
  });

  test('answers undefined past maxBytes; the next allocation, keepBytes and trimArena() give empty chunks back', () => {
    const result = child('cap');
    expect(result).toEqual({
      refusedAt: 16,
      refused: 1,
      mappedAtCap: 16 << 20,
      emptyAfterCollect: 16 << 20,
      mappedAfterNext: 4 << 20,
      emptyBeforeTrim: 8 << 20,
      mappedAfterTrim: 0,
    });
  });

  test('a worker exiting or terminated with arena Buffers alive leaves the process sound', () => {
    const result = child('worker');
    expect(result.mainArenaUntouched).toBe(true);
    expect(result.results).toHaveLength(6);
    for (const run of result.results as Array<{ ok: boolean }>) expect(run.ok).toBe(true);
  });

  test("an arena Buffer cannot be moved to another thread (its memory stays the arena's)", () => {
    const buffer = arenaBuffer(1 << 16);
    if (buffer === undefined) return; // no arena here: the case above says why
    const { port1, port2 } = new MessageChannel();
    try {
      port1.postMessage(buffer.buffer, [buffer.buffer as ArrayBuffer]);
    } catch {
      // Node 21+ throws for an untransferable buffer; Node 20 copies it instead of moving it
    } finally {
      port1.close();
      port2.close();
    }
    expect(buffer.length).toBe(1 << 16);
  });

  test('the process exits normally with arena Buffers alive', () => {
    expect(child('exit')).toEqual({ live: 64 });
  });

  test('configureArena() and trimArena() check their arguments', () => {
    expect(() => configureArena(null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => configureArena({ keepBytes: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => configureArena({ maxBytes: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => trimArena(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    const { keepBytes, maxBytes } = arenaStats()!;
    configureArena({});
    expect(arenaStats()).toMatchObject({ keepBytes, maxBytes });
  });

  // Every native backend that starts here reads into arena memory like into any other.
  const backends = NativeRt.builder()
    .enableAll()
    .buildEach()
    .flatMap((result) => {
      void result.rt?.close();
      return result.rt && result.name !== 'libuv' ? [result.name] : [];
    });
  const eachBackend = backends.length > 0 ? test.each(backends) : test.skip.each(['no native backend starts here']);

  eachBackend('%s reads the right bytes into arena Buffers (readMany, readAt, a short read)', async (backend) => {
    const path = join(dir, `data-${backend}.bin`);
    const data = Buffer.alloc((8 << 20) + 100);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(path, data);
    const rt = NativeRt.builder()
      .enable(backend as BackendName)
      .build();
    try {
      const file = await rt.open(path, { read: true });
      const positions = Array.from({ length: 64 }, (_, i) => ((i * 7919) % 2000) * 4096);
      for (const length of [1, 4096, 65536]) {
        const into = arenaBuffer(64 * length)!;
        const result = await file.readMany({ positions, lengths: length }, { into });
        positions.forEach((position, i) => expect(result.at(i).equals(data.subarray(position, position + length))).toBe(true));
        const one = arenaBuffer(length)!;
        const position = positions[5]!;
        expect(await file.readAt(position, one)).toBe(length);
        expect(one.equals(data.subarray(position, position + length))).toBe(true);
      }
      // A read that reaches the end of the file fills only what is there: the caller's to clear
      // the rest of a recycled Buffer (it holds whatever it held before).
      const tail = arenaBuffer(65536)!.fill(0xee);
      expect(await file.readAt(data.length - 100, tail)).toBe(100);
      expect(tail.subarray(0, 100).equals(data.subarray(data.length - 100))).toBe(true);
      expect(tail.subarray(100).every((byte) => byte === 0xee)).toBe(true);
      await file.close();
    } finally {
      await rt.close();
    }
  });
});
