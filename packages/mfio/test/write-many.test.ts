// writeMany: every request written whole, one await, checked before any I/O; a failure rejects
// with the lowest-numbered failed request's error, after every write has settled.
import { MemoryBackend, MemoryFile, MfioError, SeededRandom, writeMany, type WriteRequest } from '../src/index.js';

describe('writeMany', () => {
  test('200 random disjoint writes in one call match a model, on fragmenting and short-writing backends', async () => {
    for (const options of [{}, { maxFragments: 8, shuffle: true, seed: 5 }, { writeLimit: 100 }]) {
      const random = new SeededRandom(7);
      const file = new MemoryFile(0, { backend: new MemoryBackend(options) });
      const model = Buffer.alloc(200 * 1024);
      const requests: WriteRequest[] = Array.from({ length: 200 }, (_, i) => {
        const data = random.bytes(random.range(1, 1024));
        model.set(data, i * 1024);
        return [i * 1024, data];
      });
      await file.writeMany(random.shuffle(requests));
      expect(file.bytes().equals(model.subarray(0, file.bytes().length))).toBe(true);
      expect(file.bytes().length).toBe(199 * 1024 + (requests.find(([p]) => p === 199 * 1024)![1] as Uint8Array).length);
    }
  });

  test('strings and any ArrayBufferView are written; an empty batch resolves', async () => {
    const file = new MemoryFile(0);
    await writeMany(file, [
      [0, 'abc'],
      [3, new Uint16Array([0x6564])],
      [5, new DataView(Buffer.from('f').buffer, Buffer.from('f').byteOffset, 1)],
    ]);
    expect(file.bytes().toString()).toBe('abcdef');
    await writeMany(file, []);
  });

  test('a bad request rejects before anything is written', async () => {
    const file = new MemoryFile(0);
    const bad = [
      [0, 'ok'],
      [-1, 'x'],
    ] as unknown as WriteRequest[];
    await expect(writeMany(file, bad)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(
      writeMany(file, [
        [0, 'ok'],
        [1, 5],
      ] as unknown as WriteRequest[]),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(writeMany(file, [[0]] as unknown as WriteRequest[])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(writeMany(file, 'no' as unknown as WriteRequest[])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(file.bytes().length).toBe(0);
  });

  test('a failing request: the lowest-numbered failure, with its position, once every write settled', async () => {
    const backend = new MemoryBackend({ completion: 'manual', writeLimit: 0 });
    const file = new MemoryFile(0, { backend });
    let settled = false;
    const pending = writeMany(file, [
      [100, 'abc'],
      [0, 'xyz'],
    ]).catch((e: MfioError) => {
      settled = true;
      return e;
    });
    const turn = (): Promise<void> => new Promise(setImmediate);
    await turn();
    expect(settled).toBe(false);
    backend.flush();
    const error = await pending;
    expect(error).toMatchObject({ code: 'ERR_WRITE_ZERO', position: 100, bytesTransferred: 0 });
  });

  test('abort rejects at once with ABORT_ERR; released waits for every write in flight', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const file = new MemoryFile(0, { backend });
    const controller = new AbortController();
    const requests: WriteRequest[] = [
      [0, 'abc'],
      [10, 'def'],
    ];
    const pending = file.writeMany(requests, { signal: controller.signal }).catch((e: MfioError) => e);
    controller.abort();
    const error = (await pending) as MfioError;
    expect(error).toMatchObject({ code: 'ABORT_ERR' });
    let released = false;
    void error.released!.then(() => (released = true));
    await new Promise(setImmediate);
    expect(released).toBe(false); // the backend still holds both buffers
    backend.runNext(1); // the first write lets go; the second still holds its buffer
    await new Promise(setImmediate);
    expect(released).toBe(false);
    backend.flush();
    await error.released;
    expect(released).toBe(true);
  });

  test('a hole in a sparse array is a bad request', async () => {
    const file = new MemoryFile(0);
    const sparse: WriteRequest[] = [[0, 'a']];
    sparse[2] = [2, 'c'];
    await expect(writeMany(file, sparse)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});
