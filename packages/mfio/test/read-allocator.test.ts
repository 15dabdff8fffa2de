import { MemoryFile, positional, readAt, readAtSync, readMany, SlabAllocator, type PacketIo, type ReadAllocator } from '../src/index.js';

/** An allocator whose memory is dirty, as recycled memory is: every byte 0xee. */
const dirty: ReadAllocator = { allocate: (length) => Buffer.alloc(length, 0xee) };

/** The bytes of `buffer`'s backing store from `from` (relative to `buffer`) to its end. */
function backingFrom(buffer: Buffer, from: number, to: number): Buffer {
  return Buffer.from(buffer.buffer, buffer.byteOffset + from, to - from);
}

describe('SlabAllocator', () => {
  test('gives buffers of exactly the length asked, none sharing a byte with another', () => {
    const allocator = new SlabAllocator();
    const lengths = [1, 7, 64, 65, 100, 4095, 4096, 4097, 8192, 8193, 65536, 1 << 20, 0, 3];
    const buffers = Array.from({ length: 300 }, (_, i) => allocator.allocate(lengths[i % lengths.length]!));
    buffers.forEach((buffer, i) => {
      expect(buffer.length).toBe(lengths[i % lengths.length]);
      buffer.fill(i & 0xff);
    });
    buffers.forEach((buffer, i) => expect(buffer.every((byte) => byte === (i & 0xff))).toBe(true));
  });

  test('cuts small buffers from 8 KiB slabs on cache lines, pages from 4 KiB from page-aligned ones, large ones apart', () => {
    const allocator = new SlabAllocator({ slabSize: 1 << 16, maxPooled: 8192, pageOffset: () => 0 });
    const a = allocator.allocate(10);
    const b = allocator.allocate(100);
    const c = allocator.allocate(4096);
    const d = allocator.allocate(8192);
    const big = allocator.allocate(8193);
    expect(b.buffer === a.buffer).toBe(true);
    expect(b.byteOffset - a.byteOffset).toBe(64);
    // Sub-page slices come from 8 KiB slabs (a kept one holds little), pages from their own.
    expect(a.buffer.byteLength).toBe(8192);
    expect(c.buffer === a.buffer).toBe(false);
    expect(d.buffer === c.buffer).toBe(true);
    expect(c.byteOffset % 4096).toBe(0);
    expect(d.byteOffset - c.byteOffset).toBe(4096);
    expect(big.buffer === a.buffer || big.buffer === c.buffer).toBe(false);
  });

  test('starts a new slab when the current one is full, and slab memory is zeroed', () => {
    const allocator = new SlabAllocator({ slabSize: 8192, maxPooled: 4096 });
    const first = allocator.allocate(4096);
    const second = allocator.allocate(4096);
    const third = allocator.allocate(4096);
    expect(second.buffer).toBe(first.buffer);
    expect(third.buffer).not.toBe(first.buffer);
    expect(Buffer.from(third.buffer).every((byte) => byte === 0)).toBe(true);
  });

  test('takes large buffers from `large` when it has memory, and makes its own when not', () => {
    const asked: number[] = [];
    let give = true;
    const memory = Buffer.alloc(1 << 16);
    const allocator = new SlabAllocator({ maxPooled: 4096, large: (n) => (asked.push(n), give ? memory.subarray(0, n) : undefined) });
    expect(allocator.allocate(100).buffer).not.toBe(memory.buffer);
    expect(allocator.allocate(5000).buffer).toBe(memory.buffer);
    give = false;
    const own = allocator.allocate(6000);
    expect(own.buffer).not.toBe(memory.buffer);
    expect(own.length).toBe(6000);
    expect(asked).toEqual([5000, 6000]);
  });

  test('a slab cannot be moved to another thread: other reads may still be filling it', () => {
    const slice = new SlabAllocator().allocate(100);
    const { port1, port2 } = new MessageChannel();
    try {
      port1.postMessage(slice.buffer, [slice.buffer as ArrayBuffer]);
    } catch {
      // Node 21+ throws for an untransferable buffer; Node 20 copies it instead of moving it
    } finally {
      port1.close();
      port2.close();
    }
    expect(slice.length).toBe(100);
    expect(slice.buffer.byteLength).toBe(8192);
  });

  test('rejects sizes that are not integers, or a pooled size above the slab', () => {
    expect(() => new SlabAllocator({ slabSize: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new SlabAllocator({ slabSize: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new SlabAllocator({ slabSize: 4096, maxPooled: 8192 })).toThrow(/options\.maxPooled/);
  });
});

describe('reads into allocated buffers', () => {
  const data = Buffer.from('0123456789abcdef');
  const io = (): PacketIo<number> & { readAllocator: ReadAllocator } => {
    const file = new MemoryFile(data);
    return { sendIo: (position, view) => file.sendIo(position, view), backend: file.backend, readAllocator: dirty };
  };

  test("readAt(pos, length) reads into the io's allocator and zeroes what a short read left", async () => {
    const got = await readAt(io(), 12, 10);
    expect(got.toString()).toBe('cdef');
    expect(backingFrom(got, 4, 10).every((byte) => byte === 0)).toBe(true);
  });

  test('readAtSync(pos, length) too', () => {
    const got = readAtSync(io(), 14, 6);
    expect(got.toString()).toBe('ef');
    expect(backingFrom(got, 2, 6).every((byte) => byte === 0)).toBe(true);
  });

  test('readMany without into reads into the allocator and zeroes each short tail', async () => {
    const result = await readMany(io(), [
      [0, 4],
      [14, 4],
      [20, 3],
      [4, 2],
    ]);
    expect([...result].map(String)).toEqual(['0123', 'ef', '', '45']);
    expect(result.buffer.every((byte) => byte !== 0xee)).toBe(true);
    expect(result.buffer.subarray(6, 11).every((byte) => byte === 0)).toBe(true);
  });

  test('readMany into a caller buffer leaves its unread bytes alone', async () => {
    const into = Buffer.alloc(8, 0x77);
    await readMany(io(), [[14, 4]], { into });
    expect([...into.subarray(2)]).toEqual([0x77, 0x77, 0x77, 0x77, 0x77, 0x77]);
  });

  test('positional() passes the allocator through', async () => {
    const wrapped = positional(io());
    expect(wrapped.readAllocator).toBe(dirty);
    const got = await wrapped.readAt(15, 3);
    expect(backingFrom(got, 1, 3).every((byte) => byte === 0)).toBe(true);
  });
});
