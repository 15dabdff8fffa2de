import { MemoryBackend, MemoryFile, MfioError, readAtSync, writeAllAtSync } from '../src/index.js';

describe('sync wrappers', () => {
  test('read and write without returning to the event loop, on fragmented out-of-order completions', () => {
    const backend = new MemoryBackend({ maxFragments: 8, shuffle: true, seed: 2 });
    const file = new MemoryFile(0, { backend });
    writeAllAtSync(file, 0, 'sync wrappers block on the backend');
    expect(file.readAtSync(5, 8).toString()).toBe('wrappers');
    const into = Buffer.alloc(4);
    expect(readAtSync(file, 0, into)).toBe(4);
    expect(into.toString()).toBe('sync');
    expect(file.writeAtSync(0, 'SYNC')).toBe(4);
    file.readExactAtSync(0, into);
    expect(into.toString()).toBe('SYNC');
    expect(backend.pending).toBe(0);
  });

  test('short reads and errors behave as in the async API', async () => {
    const file = new MemoryFile(Buffer.from('abc'));
    expect(file.readAtSync(1, 10).toString()).toBe('bc');
    expect(() => file.readExactAtSync(1, 10)).toThrow(expect.objectContaining({ code: 'ERR_UNEXPECTED_EOF', bytesTransferred: 2 }));
    expect(() => file.readAtSync(-1, 1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    const limited = new MemoryFile(0, { backend: new MemoryBackend({ writeLimit: 0 }) });
    expect(() => limited.writeAllAtSync(0, 'x')).toThrow(expect.objectContaining({ code: 'ERR_WRITE_ZERO' }));
    await file.close();
    expect(() => file.readAtSync(0, 1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  test('completions of other requests drained while blocking are delivered to their owners', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const file = new MemoryFile(Buffer.from('0123456789'), { backend });
    const early = file.readAt(0, 2);
    expect(backend.pending).toBe(1);
    expect(file.readAtSync(8, 2).toString()).toBe('89');
    // The earlier request's completion ran during the blocking call, in order, and its promise
    // resolves without anything else being flushed.
    expect(backend.pending).toBe(0);
    expect((await early).toString()).toBe('01');
  });

  test('an object whose backend cannot block throws ERR_MFIO_CANNOT_BLOCK', () => {
    const file = new MemoryFile(4);
    const noBackend = { sendIo: file.sendIo.bind(file) };
    const error = (() => {
      try {
        readAtSync(noBackend, 0, 1);
      } catch (e) {
        return e as MfioError;
      }
    })();
    expect(error).toMatchObject({ code: 'ERR_MFIO_CANNOT_BLOCK' });
  });

  test('blockOn on a packet no completion will finish throws ERR_MFIO_DEADLOCK instead of hanging', () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const silent = { backend, sendIo(): void {} }; // accepts the view and never completes it
    expect(() => readAtSync(silent, 0, 1)).toThrow(expect.objectContaining({ code: 'ERR_MFIO_DEADLOCK' }));
  });
});
