import { MemoryBackend, MemoryFile, MfioError, readMany, SeededRandom } from '../src/index.js';

describe('readMany', () => {
  const random = new SeededRandom(1234);
  const data = random.bytes(256 * 1024);

  test.each([
    ['whole', {}],
    ['fragmented out of order', { maxFragments: 8, shuffle: true, seed: 9 }],
  ])('1,000 random pairs with one await match the data (%s)', async (_name, options) => {
    const file = new MemoryFile(data, { backend: new MemoryBackend(options) });
    const requests = Array.from({ length: 1000 }, () => [random.int(data.length + 100), random.range(0, 300)] as const);
    const result = await file.readMany(requests);
    expect(result.count).toBe(1000);
    requests.forEach(([pos, len], i) => {
      const want = data.subarray(pos, Math.min(pos + len, data.length));
      expect(result.lengths[i]).toBe(want.length);
      expect(result.at(i).equals(want)).toBe(true);
    });
  });

  test('columns with one length for all, into a caller buffer', async () => {
    const file = new MemoryFile(data);
    const into = Buffer.alloc(40);
    const result = await readMany(file, { positions: [0n, 16, 300000], lengths: 8 }, { into });
    expect(result.buffer.buffer).toBe(into.buffer);
    expect([...result.lengths]).toEqual([8, 8, 0]);
    expect(result.at(1).equals(data.subarray(16, 24))).toBe(true);
    expect([...result].map((b) => b.length)).toEqual([8, 8, 0]);
  });

  test('an empty batch and zero-length requests complete without I/O', async () => {
    const file = new MemoryFile(data);
    expect((await file.readMany([])).count).toBe(0);
    const result = await file.readMany([
      [5, 0],
      [1, 2],
      [9, 0],
    ]);
    expect([...result.lengths]).toEqual([0, 2, 0]);
    expect(result.at(1).equals(data.subarray(1, 3))).toBe(true);
  });

  test('bad requests are rejected before any I/O with the offending index named', async () => {
    const file = new MemoryFile(data);
    await expect(
      file.readMany([
        [0, 1],
        [-5, 1],
      ]),
    ).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringContaining('requests[1] position'),
    });
    await expect(file.readMany([[0, 1.5]])).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(file.readMany({ positions: [1, 2], lengths: [1] })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(file.readMany('nope' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(file.readMany([[0, 10]], { into: Buffer.alloc(5) })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(new MemoryFile(1).readMany([[0, 1]]).then((r) => r.at(5))).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });

  test('failures completing out of order: the lowest-numbered request wins, with its own count', async () => {
    const file = new MemoryFile(data);
    const failAt = new Map<number, MfioError>([
      [300, MfioError.fromCode('EIO', { syscall: 'read', position: 300 })],
      [100, MfioError.fromCode('ENXIO', { syscall: 'read', position: 100 })],
    ]);
    const flaky = {
      sendIo(position: number, view: import('../src/index.js').PacketView): void {
        const error = failAt.get(position);
        if (error === undefined) return file.sendIo(position, view);
        // The later request fails first.
        const [head, tail] = view.splitAt(3);
        setTimeout(
          () => {
            head.complete();
            tail.fail(error);
          },
          position === 300 ? 0 : 20,
        );
      },
    };
    const error = await readMany(flaky, [
      [0, 8],
      [100, 8],
      [200, 8],
      [300, 8],
    ]).catch((e: MfioError) => e);
    expect(error).toMatchObject({ code: 'ENXIO', position: 100, bytesTransferred: 3 });
  });

  test('requests in flight at close complete; a batch after close rejects with its first request', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const file = new MemoryFile(data, { backend });
    const batch = file
      .readMany([
        [0, 4],
        [8, 4],
      ])
      .catch((e: MfioError) => e);
    const closing = file.close(); // already in flight: they complete normally
    backend.flush();
    await closing;
    expect(((await batch) as { count: number }).count).toBe(2);
    const after = file
      .readMany([
        [0, 4],
        [8, 4],
      ])
      .catch((e: MfioError) => e);
    backend.flush();
    expect(await after).toMatchObject({ code: 'EBADF', position: 0 });
  });
});
