import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream } from 'node:stream/web';
import { MemoryBackend, MemoryFile, MfioError, positional, SeededRandom } from '../src/index.js';

const SIZE = 12 * 1024 * 1024 + 12345; // ≥ 10 MiB, not a multiple of any chunk size
const data = Buffer.from(new SeededRandom(42).bytes(SIZE));
const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const expected = digest(data);

/** Fragmented, out-of-order completions: the adapters must still deliver bytes in order. */
const source = (): MemoryFile => new MemoryFile(data, { backend: new MemoryBackend({ maxFragments: 4, shuffle: true, seed: 8 }) });

describe('stream adapters move 12 MiB with content checked', () => {
  test('chunks(): async iteration in order, with reads in flight ahead', async () => {
    const hash = createHash('sha256');
    let total = 0;
    for await (const chunk of source().chunks({ chunkSize: 100_000, inFlight: 8 })) {
      hash.update(chunk);
      total += chunk.length;
    }
    expect(total).toBe(SIZE);
    expect(hash.digest('hex')).toBe(expected);
  });

  test('readToEnd() from a position', async () => {
    const file = source();
    expect(digest(await file.readToEnd())).toBe(expected);
    expect((await file.readToEnd(SIZE - 10)).equals(data.subarray(SIZE - 10))).toBe(true);
    expect(await file.readToEnd(SIZE + 10)).toHaveLength(0);
  });

  test('readToEnd() with a size hint: right, short or long, the bytes are the same', async () => {
    const file = source();
    for (const sizeHint of [SIZE, SIZE - 1, 1, SIZE + 4096, 3 * SIZE]) {
      expect(digest(await file.readToEnd(0, { sizeHint, chunkSize: 300_000, inFlight: 6 }))).toBe(expected);
    }
    expect((await file.readToEnd(SIZE - 10, { sizeHint: 100 })).equals(data.subarray(SIZE - 10))).toBe(true);
    await expect(file.readToEnd(0, { sizeHint: SIZE, maxLength: SIZE - 1 })).rejects.toMatchObject({ code: 'ERR_FS_FILE_TOO_LARGE' });
    await expect(file.readToEnd(0, { sizeHint: -1 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });

  test('readToEnd() with the right size hint reads into one allocated buffer, no copy', async () => {
    const allocated: Buffer[] = [];
    const inner = source();
    const io = {
      sendIo: inner.sendIo.bind(inner),
      backend: inner.backend,
      readAllocator: { allocate: (n: number) => allocated[allocated.push(Buffer.alloc(n, 0xee)) - 1]! },
    };
    const whole = await positional(io).readToEnd(0, { sizeHint: SIZE });
    expect(digest(whole)).toBe(expected);
    expect(whole.buffer === allocated[0]!.buffer).toBe(true);
    // Shorter than hinted: what the hint allocated past the end is zeroed, not left as it was.
    const first = allocated.length;
    const short = await positional(io).readToEnd(SIZE - 5, { sizeHint: 8 });
    expect(short.equals(data.subarray(SIZE - 5))).toBe(true);
    expect(short.buffer === allocated[first]!.buffer).toBe(true);
    expect(Buffer.from(short.buffer, short.byteOffset + 5, 3).every((byte) => byte === 0)).toBe(true);
    // Far shorter: copied out, so the result does not hold the hint's memory.
    const second = allocated.length;
    const far = await positional(io).readToEnd(SIZE - 5, { sizeHint: 1000 });
    expect(far.equals(data.subarray(SIZE - 5))).toBe(true);
    expect(far.buffer === allocated[second]!.buffer).toBe(false);
  });

  test('a failing read stops readToEnd with its error, and no further reads start', async () => {
    let reads = 0;
    const inner = source();
    const io = {
      sendIo: (position: number, view: Parameters<MemoryFile['sendIo']>[1]) => {
        reads++;
        if (position >= 1_000_000) view.fail(MfioError.fromCode('EIO', { syscall: 'read', position }));
        else inner.sendIo(position, view);
      },
      backend: inner.backend,
    };
    await expect(positional(io).readToEnd(0, { sizeHint: SIZE, chunkSize: 100_000, inFlight: 4 })).rejects.toMatchObject({ code: 'EIO' });
    expect(reads).toBeLessThan(20);
  });

  test('Node Readable piped into a Node Writable on another file', async () => {
    const target = new MemoryFile(0, { backend: new MemoryBackend({ maxFragments: 3, shuffle: true, seed: 1 }) });
    await pipeline(source().createReadStream({ chunkSize: 256 * 1024 }), target.createWriteStream({ inFlight: 8 }));
    expect(target.length).toBe(SIZE);
    expect(digest(target.bytes())).toBe(expected);
  });

  test('Web ReadableStream piped into a Web WritableStream', async () => {
    const target = new MemoryFile(0);
    await source()
      .readableWebStream()
      .pipeTo(target.writableWebStream({ start: 7 }));
    expect(target.length).toBe(SIZE + 7);
    expect(digest(target.bytes().subarray(7))).toBe(expected);
  });

  test('a Node Readable as an input to a Web WritableStream (interop both ways)', async () => {
    const target = new MemoryFile(0);
    await (Readable.toWeb(source().createReadStream()) as ReadableStream<Uint8Array>).pipeTo(target.writableWebStream());
    expect(digest(target.bytes())).toBe(expected);
  });
});

describe('stream adapters: ranges, cancellation and errors', () => {
  test('start and length bound what is read', async () => {
    const parts: Buffer[] = [];
    for await (const chunk of source().createReadStream({ start: 1000, length: 70_000, chunkSize: 4096 })) parts.push(chunk);
    expect(Buffer.concat(parts).equals(data.subarray(1000, 71_000))).toBe(true);
  });

  test('leaving a for-await loop early cancels the reads running ahead', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const file = new MemoryFile(data, { backend });
    const iterator = file.chunks({ chunkSize: 1024, inFlight: 16 });
    const first = iterator.next();
    await untilPending(backend, 16);
    expect(backend.runNext(1)).toBe(1); // only the first read completes; 15 stay in flight
    expect((await first).value).toHaveLength(1024);
    const before = backend.stats.cancelled;
    await iterator.return!();
    backend.flush();
    // Every read still in flight (16 ahead of the consumer) completed as cancelled.
    expect(backend.stats.cancelled - before).toBe(16);
    expect(backend.pending).toBe(0);
  });

  test('destroying a Readable stops it without errors and cancels its read-ahead', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const stream = new MemoryFile(data, { backend }).createReadStream({ chunkSize: 1024, inFlight: 8 });
    const errors: unknown[] = [];
    stream.on('error', (e) => errors.push(e));
    const first = new Promise<Buffer>((resolve) => stream.once('data', resolve));
    await untilPending(backend, 8);
    backend.runNext(1);
    expect((await first).equals(data.subarray(0, 1024))).toBe(true);
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    backend.flush();
    expect(errors).toEqual([]);
    expect(backend.stats.cancelled).toBeGreaterThanOrEqual(7);
    expect(backend.pending).toBe(0);
  });

  test('cancelling a Web ReadableStream cancels its read-ahead', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const reader = new MemoryFile(data, { backend }).readableWebStream({ chunkSize: 1024, inFlight: 8 }).getReader();
    const first = reader.read();
    await untilPending(backend, 8);
    backend.runNext(1);
    expect((await first).value).toHaveLength(1024);
    await reader.cancel();
    backend.flush();
    expect(backend.stats.cancelled).toBe(8);
  });

  test('aborting a read stream errors it with ABORT_ERR', async () => {
    const controller = new AbortController();
    const stream = source().createReadStream({ signal: controller.signal, chunkSize: 1024 });
    const seen: Buffer[] = [];
    const done = new Promise((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        seen.push(chunk);
        if (seen.length === 3) controller.abort();
      });
      stream.on('error', reject);
      stream.on('end', resolve);
    });
    await expect(done).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  test('aborting a write stream fails the pipeline feeding it instead of hanging', async () => {
    const controller = new AbortController();
    const idle = new Readable({ read() {} }); // never ends by itself
    const piping = pipeline(idle, new MemoryFile(0).createWriteStream({ signal: controller.signal }));
    setImmediate(() => controller.abort());
    await expect(piping).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  test('readToEnd stays within 2^53 whatever the start and the Buffer limit (2^53 - 1 on Node 22)', async () => {
    const file = new MemoryFile(Buffer.from('whole'));
    await expect(file.readToEnd()).resolves.toEqual(Buffer.from('whole'));
    await expect(file.readToEnd(2)).resolves.toEqual(Buffer.from('ole'));
    await expect(file.readToEnd(Number.MAX_SAFE_INTEGER - 10)).resolves.toHaveLength(0);
    await expect(file.readToEnd(0, { maxLength: Number.MAX_SAFE_INTEGER })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });

  test('an I/O error surfaces as the stream error, with its code', async () => {
    const file = new MemoryFile(data);
    await file.close();
    await expect(pipeline(file.createReadStream(), new MemoryFile(0).createWriteStream())).rejects.toMatchObject({ code: 'EBADF' });
    const readOnly = new MemoryFile(0, { readOnly: true });
    await expect(pipeline(Readable.from([Buffer.from('abc')]), readOnly.createWriteStream())).rejects.toMatchObject({ code: 'EBADF' });
  });

  test('aborting a writable stream rejects with ABORT_ERR', async () => {
    const controller = new AbortController();
    const writable = new MemoryFile(0).writableWebStream({ signal: controller.signal });
    const writer = writable.getWriter();
    await writer.write(Buffer.from('abc'));
    controller.abort();
    await expect(writer.write(Buffer.from('def'))).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  test('readToEnd rejects with ERR_FS_FILE_TOO_LARGE past maxLength', async () => {
    await expect(source().readToEnd(0, { maxLength: 1000 })).rejects.toMatchObject({ code: 'ERR_FS_FILE_TOO_LARGE' });
    await expect(new MemoryFile(Buffer.from('abc')).readToEnd(0, { maxLength: 3 })).resolves.toEqual(Buffer.from('abc'));
  });

  test('invalid stream options are rejected at once', () => {
    const file = new MemoryFile(4);
    expect(() => file.chunks({ chunkSize: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => file.createWriteStream({ inFlight: 0 })).toThrow(MfioError);
    expect(() => file.createReadStream({ start: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

/** Stream adapters start reading on a later tick: wait until `count` reads are queued. */
async function untilPending(backend: MemoryBackend, count: number): Promise<void> {
  for (let i = 0; i < 100 && backend.pending < count; i++) await new Promise(setImmediate);
  expect(backend.pending).toBe(count);
}
