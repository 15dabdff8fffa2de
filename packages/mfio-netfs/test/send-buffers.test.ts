// The server's READ_DATA buffers: recycled by hand once written, by size class, bounded. (They
// are alignedBuffer's memory, whose alignment @mfio/rt tests.)
import { SendBuffers } from '../src/server/send-buffers.js';

/** Whether two buffers share their first byte's memory (a write through one shows in the other). */
function sameMemory(a: Buffer, b: Buffer): boolean {
  const before = b[0]!;
  a[0] = before ^ 0xff;
  const same = b[0] === (before ^ 0xff);
  a[0] = before;
  return same;
}

describe('SendBuffers', () => {
  test('a buffer given back is handed out again, for any length of its size class', () => {
    const pool = new SendBuffers(1 << 20);
    const first = pool.take(65536);
    expect(first.length).toBe(65536);
    pool.give(first);
    const again = pool.take(40_000); // same class: 64 KiB
    expect(again.length).toBe(40_000);
    expect(sameMemory(again, first)).toBe(true);
    pool.give(again);
    const whole = pool.take(65536);
    expect(whole.length).toBe(65536);
    expect(sameMemory(whole, first)).toBe(true);
  });

  test('sizes go by power-of-two classes from a page: another class gets other memory', () => {
    const pool = new SendBuffers(1 << 20);
    const small = pool.take(4096);
    pool.give(small);
    const large = pool.take(8192);
    expect(sameMemory(large, small)).toBe(false);
    expect(sameMemory(pool.take(4000), small)).toBe(true);
  });

  test('past keepBytes of free blocks, a block given back is let go', () => {
    const pool = new SendBuffers(2 * 65536);
    const taken = [pool.take(65536), pool.take(65536), pool.take(65536)];
    for (const buffer of taken) pool.give(buffer);
    const kept = [pool.take(65536), pool.take(65536), pool.take(65536)];
    expect(kept.filter((k) => taken.some((t) => sameMemory(k, t)))).toHaveLength(2);
  });
});
