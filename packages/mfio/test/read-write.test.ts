import { MemoryBackend, MemoryFile, MfioError, positional, readAt, SeededRandom, writeAllAt, type MemoryBackendOptions } from '../src/index.js';

const backends: Array<[string, MemoryBackendOptions]> = [
  ['whole requests', {}],
  ['random fragments, in order', { maxFragments: 16, seed: 3 }],
  ['random fragments, out of order', { maxFragments: 16, shuffle: true, seed: 4 }],
];

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as MfioError).code;
  }
  throw new Error('expected a rejection');
}

describe.each(backends)('readAt / writeAt on MemoryFile (%s)', (_name, options) => {
  const newFile = (initial: Uint8Array | number = 0): MemoryFile => new MemoryFile(initial, { backend: new MemoryBackend(options) });

  test('500 random writes then reads match a model byte for byte', async () => {
    const random = new SeededRandom(99);
    const file = newFile();
    let model = Buffer.alloc(0);
    for (let i = 0; i < 500; i++) {
      const pos = random.int(64 * 1024);
      const len = random.range(1, 4096);
      if (random.int(2) === 0) {
        const data = random.bytes(len);
        await file.writeAllAt(pos, data);
        if (pos + len > model.length) model = Buffer.concat([model, Buffer.alloc(pos + len - model.length)]);
        model.set(data, pos);
      } else {
        const got = await file.readAt(pos, len);
        expect(got.equals(model.subarray(pos, pos + len))).toBe(true);
      }
    }
    expect(file.bytes().equals(model)).toBe(true);
  });

  test('reads are short only at end of file, and empty past it', async () => {
    const file = newFile(Buffer.from('0123456789'));
    expect((await file.readAt(8, 5)).toString()).toBe('89');
    expect(await file.readAt(10, 5)).toHaveLength(0);
    expect(await file.readAt(1000, 5)).toHaveLength(0);
    const into = Buffer.alloc(4, '*');
    expect(await file.readAt(7, into)).toBe(3);
    expect(into.toString()).toBe('789*');
  });

  test('readAt accepts bigint positions and rejects positions beyond 2^53', async () => {
    const file = newFile(Buffer.from('abc'));
    expect((await file.readAt(1n, 2)).toString()).toBe('bc');
    expect(await codeOf(file.readAt(2n ** 53n, 1))).toBe('ERR_OUT_OF_RANGE');
    expect(await codeOf(file.readAt(Number.MAX_SAFE_INTEGER, 2))).toBe('ERR_OUT_OF_RANGE');
    expect(await codeOf(file.readAt(-1, 1))).toBe('ERR_OUT_OF_RANGE');
    expect(await codeOf(file.readAt(0.5, 1))).toBe('ERR_OUT_OF_RANGE');
    expect(await codeOf(file.readAt('0' as never, 1))).toBe('ERR_INVALID_ARG_TYPE');
    expect(await codeOf(file.readAt(0, -1))).toBe('ERR_OUT_OF_RANGE');
    expect(await codeOf(file.readAt(0, {} as never))).toBe('ERR_INVALID_ARG_TYPE');
    expect(await codeOf(file.writeAt(0, 42 as never))).toBe('ERR_INVALID_ARG_TYPE');
  });

  test('readExactAt rejects a short read with ERR_UNEXPECTED_EOF and how much was there', async () => {
    const file = newFile(Buffer.from('hello'));
    expect((await file.readExactAt(1, 4)).toString()).toBe('ello');
    const error = await file.readExactAt(2, 10).catch((e: MfioError) => e);
    expect(error).toBeInstanceOf(MfioError);
    expect(error).toMatchObject({ code: 'ERR_UNEXPECTED_EOF', bytesTransferred: 3, position: 2 });
    const into = Buffer.alloc(3);
    await expect(file.readExactAt(0, into)).resolves.toBeUndefined();
    expect(into.toString()).toBe('hel');
  });

  test('a write past the end extends the file with zeros in the gap', async () => {
    const file = newFile(Buffer.from('ab'));
    expect(await file.writeAt(5, 'xy')).toBe(2);
    expect(file.bytes()).toEqual(Buffer.from([0x61, 0x62, 0, 0, 0, 0x78, 0x79]));
  });

  test('a closed file rejects reads and writes with EBADF', async () => {
    const file = newFile(Buffer.from('abc'));
    await file.close();
    const error = await file.readAt(0, 1).catch((e: MfioError) => e);
    expect(error).toMatchObject({ code: 'EBADF', syscall: 'read', errno: expect.any(Number) });
    expect(await codeOf(file.writeAt(0, 'x'))).toBe('EBADF');
  });

  test('a read-only file rejects writes with EBADF and still reads', async () => {
    const file = new MemoryFile(Buffer.from('abc'), { backend: new MemoryBackend(options), readOnly: true });
    expect(await codeOf(file.writeAllAt(0, 'x'))).toBe('EBADF');
    expect((await file.readAt(0, 3)).toString()).toBe('abc');
  });

  test('many reads in flight on one file all complete correctly', async () => {
    const random = new SeededRandom(5);
    const data = random.bytes(1 << 20);
    const file = newFile(data);
    const positions = Array.from({ length: 2000 }, () => random.int(data.length));
    const results = await Promise.all(positions.map((p) => file.readAt(p, 100)));
    positions.forEach((p, i) => expect(results[i]!.equals(data.subarray(p, p + 100))).toBe(true));
  });
});

describe('writeAllAt over a device that takes writes in pieces', () => {
  test('continues after short writes until every byte landed', async () => {
    const file = new MemoryFile(0, { backend: new MemoryBackend({ writeLimit: 3 }) });
    expect(await file.writeAt(0, 'abcdefgh')).toBe(3);
    await file.writeAllAt(0, 'ABCDEFGHIJ');
    expect(file.bytes().toString()).toBe('ABCDEFGHIJ');
  });

  test('rejects with ERR_WRITE_ZERO when the device accepts nothing', async () => {
    const file = new MemoryFile(0, { backend: new MemoryBackend({ writeLimit: 0 }) });
    const error = await file.writeAllAt(4, 'abc').catch((e: MfioError) => e);
    expect(error).toMatchObject({ code: 'ERR_WRITE_ZERO', bytesTransferred: 0, position: 4 });
  });

  test('an I/O error mid-way reports the bytes written before it', async () => {
    const backend = new MemoryBackend({ writeLimit: 2, completion: 'manual' });
    const file = new MemoryFile(0, { backend });
    const pending = file.writeAllAt(0, 'abcdef').catch((e: MfioError) => e);
    const turn = (): Promise<void> => new Promise(setImmediate);
    backend.flush(); // piece 1 lands; writeAllAt submits piece 2
    await turn();
    const closing = file.close(); // waits for piece 2, which is already in flight
    backend.flush(); // piece 2 lands; piece 3 is submitted after close and fails
    await turn();
    backend.flush();
    await closing;
    const error = await pending;
    expect(error).toMatchObject({ code: 'EBADF', bytesTransferred: 4 });
    expect(file.bytes().toString()).toBe('abcd');
  });
});

describe('free functions and positional()', () => {
  test('work on any PacketIo<number>, and positional() adds the methods', async () => {
    const file = new MemoryFile(0);
    const plain = { sendIo: file.sendIo.bind(file), backend: file.backend };
    await writeAllAt(plain, 0, 'plain io');
    expect((await readAt(plain, 6, 2)).toString()).toBe('io');
    const wrapped = positional(plain);
    expect(wrapped.readAtSync(0, 5).toString()).toBe('plain');
    expect(positional(file)).toBe(file);
  });

  test('an error thrown by a backend inside sendIo rejects the call', async () => {
    const broken = {
      sendIo(): void {
        throw MfioError.fromCode('EIO', { syscall: 'read' });
      },
    };
    expect(await codeOf(readAt(broken, 0, 1))).toBe('EIO');
  });
});

describe('errors and limits', () => {
  test("a backend's error object shared by many requests is never mutated", async () => {
    const shared = MfioError.fromCode('ECONNRESET', { syscall: 'read' });
    const failing = {
      sendIo(_position: number, view: import('../src/index.js').PacketView): void {
        const [head, tail] = view.splitAt(1);
        head.complete();
        tail.fail(shared);
      },
    };
    const a = await readAt(failing, 0, 4).catch((e: MfioError) => e);
    const b = await readAt(failing, 0, 8).catch((e: MfioError) => e);
    expect(a).toMatchObject({ code: 'ECONNRESET', bytesTransferred: 1 });
    expect(b).toMatchObject({ code: 'ECONNRESET', bytesTransferred: 1 });
    expect(a).not.toBe(shared);
    expect(shared.bytesTransferred).toBeUndefined();
  });

  test('a write the in-memory store cannot hold fails with EFBIG, and close still resolves', async () => {
    const file = new MemoryFile(0);
    await expect(file.writeAt(2 ** 40, 'x')).rejects.toMatchObject({ code: 'EFBIG' });
    await expect(file.close()).resolves.toBeUndefined();
  });

  test('writeAt accepts any ArrayBufferView', async () => {
    const file = new MemoryFile(0);
    await file.writeAllAt(0, new Uint16Array([0x6261, 0x6463]));
    await file.writeAllAt(4, new DataView(Buffer.from('ef').buffer, 0, 2));
    expect(file.bytes().subarray(0, 4).toString()).toBe('abcd');
  });

  test('setLength truncates and extends with zeros; runNext validates its count', () => {
    const file = new MemoryFile(Buffer.from('abcdef'));
    file.setLength(2);
    file.setLength(4);
    expect(file.bytes()).toEqual(Buffer.from([0x61, 0x62, 0, 0]));
    expect(() => file.setLength(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => file.backend.runNext(-3)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(file.backend.runNext(5)).toBe(0);
  });
});
