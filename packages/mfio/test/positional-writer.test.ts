import { EventEmitter } from 'node:events';
import { MemoryBackend, MemoryFile, MfioError, PositionalWriter, SeededRandom } from '../src/index.js';

const turn = (): Promise<void> => new Promise(setImmediate);

describe('PositionalWriter', () => {
  test("a chunk's position is fixed when write() is called, not when a slot frees up", () => {
    const writer = new PositionalWriter(new MemoryFile(0, { backend: new MemoryBackend({ completion: 'manual' }) }), 10, { inFlight: 1 });
    void writer.write(Buffer.from('aaa')); // admitted
    void writer.write(Buffer.from('bb')); // waits for a slot, but owns [13, 15) already
    expect(writer.position).toBe(15);
  });

  test('chunks land in call order under contention, fragmentation and out-of-order completion', async () => {
    const random = new SeededRandom(77);
    const file = new MemoryFile(0, { backend: new MemoryBackend({ maxFragments: 5, shuffle: true, seed: 5 }) });
    const writer = new PositionalWriter(file, 0, { inFlight: 3 });
    const expected: Buffer[] = [];
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 300; i++) {
      const chunk = Buffer.from(`<${i}:${'x'.repeat(random.int(40))}>`);
      expected.push(chunk);
      writes.push(writer.write(chunk));
      // Callers that await and callers that do not, interleaved.
      if (random.int(3) === 0) await writes[writes.length - 1];
      if (random.int(5) === 0) await turn();
    }
    await Promise.all(writes);
    await writer.flush();
    expect(file.bytes().equals(Buffer.concat(expected))).toBe(true);
  });

  test('the first failure is sticky: later writes and flush reject with it', async () => {
    const file = new MemoryFile(0, { readOnly: true });
    const writer = new PositionalWriter(file, 0);
    await writer.write(Buffer.from('a')); // admitted; fails later
    const flushed = await writer.flush().catch((e: MfioError) => e);
    expect(flushed).toMatchObject({ code: 'EBADF' });
    await expect(writer.write(Buffer.from('b'))).rejects.toBe(flushed);
    await expect(writer.flush()).rejects.toBe(flushed);
  });

  test('flush with nothing written resolves at once', async () => {
    await expect(new PositionalWriter(new MemoryFile(0), 0).flush()).resolves.toBeUndefined();
  });

  test('abort wakes writers waiting for a slot; they reject with the reason', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const writer = new PositionalWriter(new MemoryFile(0, { backend }), 0, { inFlight: 1 });
    await writer.write(Buffer.from('a'));
    const waiting = writer.write(Buffer.from('b'));
    const reason = new MfioError('ABORT_ERR', 'stop');
    writer.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    backend.flush();
  });

  test('bad options are rejected instead of hanging', () => {
    const file = new MemoryFile(0);
    expect(() => new PositionalWriter(file, 0, { inFlight: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new PositionalWriter(file, -1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(new PositionalWriter(file, 5n).position).toBe(5);
  });

  test('writers done with a long-lived signal leave no listener behind', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const writer = new PositionalWriter(new MemoryFile(0), 0, { signal: controller.signal });
      await writer.write(Buffer.from('x'));
      await writer.flush();
    }
    // One shared listener at most, and it holds none of the finished writers.
    expect(EventEmitter.getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
    controller.abort(); // reaches nobody: nothing throws
  });
});
