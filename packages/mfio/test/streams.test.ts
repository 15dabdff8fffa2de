import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream } from 'node:stream/web';
import { MemoryBackend, MemoryFile, MfioError, SeededRandom } from '../src/index.js';

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

  test('Node Readable piped into a Node Writable on another file', async () => {
    const target = new MemoryFile(0, { backend: new MemoryBackend({ maxFragments: 3, shuffle: true, seed: 1 }) });
    await pipeline(source().createReadStream({ chunkSize: 256 * 1024 }), target.createWriteStream({ inFlight: 8 }));
    expect(target.length).toBe(SIZE);
    expect(digest(target.bytes())).toBe(expected);
  });

  test('Web ReadableStream piped into a Web WritableStream', async () => {
    const target = new MemoryFile(0);
    await source().readableWebStream().pipeTo(target.writableWebStream({ start: 7 }));
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
    expect(backend.runNext(1)).toBe(1); // only the first read completes; 15 stay in flight
    expect((await first).value).toHaveLength(1024);
    const before = backend.stats.cancelled;
    await iterator.return(undefined);
    backend.flush();
    // Every read still in flight (16 ahead of the consumer) completed as cancelled.
    expect(backend.stats.cancelled - before).toBe(16);
    expect(backend.pending).toBe(0);
  });

  test('destroying a Readable stops it without errors or leaks', async () => {
    const stream = source().createReadStream({ chunkSize: 1024 });
    const first: Buffer = await new Promise((resolve) => stream.once('data', resolve));
    expect(first.equals(data.subarray(0, 1024))).toBe(true);
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
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
