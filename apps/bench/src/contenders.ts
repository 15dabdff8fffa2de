import { closeSync, openSync, read, readSync } from 'node:fs';
import { open as openPromise } from 'node:fs/promises';
import { alignedBuffer, NativeRt, type BackendName, type FileHandle } from '@mfio/rt';
import { promisesOf } from '@mfio/rt/promises';
import type { ReadDigest } from './checksum.js';

/**
 * Every tuned contender reads into page-aligned buffers it reuses, so none wins or loses by
 * where malloc put its buffer: a destination 16 bytes past a page boundary halves 64 KiB
 * page-cache copies (4K aliasing), and a small malloc'd buffer lands anywhere. The `:plain`
 * contenders pass no buffer at all and take what the library allocates, as users do.
 */
function readBuffer(size: number): Buffer {
  return alignedBuffer(size);
}

/** One contender's open file: performs a list of reads, adding each to the digest. */
export interface Session {
  run(positions: Float64Array, size: number, digest: ReadDigest): Promise<void> | void;
  close(): Promise<void> | void;
}

export interface Contender {
  /**
   * Stable name in reports, e.g. `node:promises`, `mfio:io_uring:readMany`, or
   * `mfio:io_uring:readMany:plain` (the same reads with the library's buffers).
   */
  name: string;
  /** Reads in flight: 'one' (one at a time), 'window' (the case's inFlight), 'batch'. */
  concurrency: 'one' | 'window' | 'batch';
  /** Extra environment of the child process that runs it. */
  env?: Record<string, string>;
  open(file: string, inFlight: number): Promise<Session>;
}

/** Run `positions` through `read` keeping `inFlight` of them going, each with its own buffer. */
export async function windowed(
  positions: Float64Array,
  size: number,
  inFlight: number,
  digest: ReadDigest,
  read: (position: number, buffer: Buffer) => Promise<number>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    const buffer = readBuffer(size);
    while (next < positions.length) {
      const i = next++;
      const n = await read(positions[i]!, buffer);
      digest.add(i, buffer, n);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, positions.length) }, worker));
}

/**
 * Run `positions` through `read` keeping `inFlight` of them going, each read returning bytes
 * the callee allocated (fewer at end of file): the code users write, no buffer of ours.
 */
export async function windowedPlain(
  positions: Float64Array,
  inFlight: number,
  digest: ReadDigest,
  read: (position: number) => Promise<Uint8Array>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < positions.length) {
      const i = next++;
      const data = await read(positions[i]!);
      digest.add(i, data, data.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, positions.length) }, worker));
}

const readSyncContender: Contender = {
  name: 'node:readSync',
  concurrency: 'one',
  async open(file) {
    const fd = openSync(file, 'r');
    return {
      run(positions, size, digest) {
        const buffer = readBuffer(size);
        for (let i = 0; i < positions.length; i++) digest.add(i, buffer, readSync(fd, buffer, 0, size, positions[i]!));
      },
      close: () => closeSync(fd),
    };
  },
};

function callbackContender(name: string, env?: Record<string, string>): Contender {
  return {
    name,
    concurrency: 'window',
    ...(env ? { env } : {}),
    async open(file, inFlight) {
      const fd = openSync(file, 'r');
      return {
        run: (positions, size, digest) =>
          windowed(
            positions,
            size,
            inFlight,
            digest,
            (position, buffer) => new Promise((resolve, reject) => read(fd, buffer, 0, size, position, (error, n) => (error ? reject(error) : resolve(n)))),
          ),
        close: () => closeSync(fd),
      };
    },
  };
}

function promisesContender(name: string, env?: Record<string, string>): Contender {
  return {
    name,
    concurrency: 'window',
    ...(env ? { env } : {}),
    async open(file, inFlight) {
      const handle = await openPromise(file, 'r');
      return {
        run: (positions, size, digest) =>
          windowed(positions, size, inFlight, digest, async (position, buffer) => (await handle.read(buffer, 0, size, position)).bytesRead),
        close: () => handle.close(),
      };
    },
  };
}

async function openMfio(backend: BackendName, file: string): Promise<{ rt: NativeRt; handle: FileHandle }> {
  const rt = NativeRt.builder().enable(backend).build();
  return { rt, handle: await rt.open(file) };
}

/** One promise per read (`readAt`), `inFlight` at a time. */
function readAtContender(backend: BackendName): Contender {
  return {
    name: `mfio:${backend}:readAt`,
    concurrency: 'window',
    async open(file, inFlight) {
      const { rt, handle } = await openMfio(backend, file);
      return {
        run: (positions, size, digest) => windowed(positions, size, inFlight, digest, (position, buffer) => handle.readAt(position, buffer)),
        close: () => rt.close(),
      };
    },
  };
}

/**
 * `readAt` as users write it: `const data = await handle.readAt(position, size)`, a new Buffer
 * from the library per read, `inFlight` at a time.
 */
function readAtPlainContender(backend: BackendName): Contender {
  return {
    name: `mfio:${backend}:readAt:plain`,
    concurrency: 'window',
    async open(file, inFlight) {
      const { rt, handle } = await openMfio(backend, file);
      return {
        run: (positions, size, digest) => windowedPlain(positions, inFlight, digest, (position) => handle.readAt(position, size)),
        close: () => rt.close(),
      };
    },
  };
}

/**
 * Reads per `readMany` batch: `inFlight`, the depth of the window contenders and the C++ ring, so
 * the batch API is compared at the same depth and pays its per-batch cost as users with small
 * batches do. (Batches of 64 KiB worth of tiny reads, 65,536 reads of 1 B, hid that cost.) A
 * larger buffer would measure cache misses on the destination, not I/O: 1,024 reads of 4 KiB into
 * one 4 MiB buffer ran at half the rate of 64 into 256 KiB here.
 */
export function batchReads(inFlight: number): number {
  return inFlight;
}

/**
 * The batch API's run: {@link batchReads} reads per `readMany` into one aligned buffer, one
 * await each (the mfio contenders and netfs share it).
 */
export function readManyRun(handle: Pick<FileHandle, 'readMany'>, inFlight: number): Session['run'] {
  let into: Buffer = Buffer.alloc(0);
  return async (positions, size, digest) => {
    const batch = Math.min(positions.length, batchReads(inFlight));
    if (into.length < batch * size) into = readBuffer(batch * size);
    for (let start = 0; start < positions.length; start += batch) {
      const slice = positions.subarray(start, Math.min(start + batch, positions.length));
      const result = await handle.readMany({ positions: slice, lengths: size }, { into });
      for (let i = 0; i < slice.length; i++) digest.add(start + i, result.buffer, result.lengths[i], result.offsets[i]);
    }
  };
}

/**
 * {@link readManyRun}'s batches as users write them: `readMany({ positions, lengths })` with
 * no `into`, so the library allocates each batch's buffer.
 */
export function readManyPlainRun(handle: Pick<FileHandle, 'readMany'>, inFlight: number): Session['run'] {
  return async (positions, size, digest) => {
    const batch = Math.min(positions.length, batchReads(inFlight));
    for (let start = 0; start < positions.length; start += batch) {
      const slice = positions.subarray(start, Math.min(start + batch, positions.length));
      const result = await handle.readMany({ positions: slice, lengths: size });
      for (let i = 0; i < slice.length; i++) digest.add(start + i, result.buffer, result.lengths[i], result.offsets[i]);
    }
  };
}

/** The batch API: {@link readManyRun}. */
function readManyContender(backend: BackendName): Contender {
  return {
    name: `mfio:${backend}:readMany`,
    concurrency: 'batch',
    async open(file, inFlight) {
      const { rt, handle } = await openMfio(backend, file);
      return { run: readManyRun(handle, inFlight), close: () => rt.close() };
    },
  };
}

/** The batch API as users write it: {@link readManyPlainRun}. */
function readManyPlainContender(backend: BackendName): Contender {
  return {
    name: `mfio:${backend}:readMany:plain`,
    concurrency: 'batch',
    async open(file, inFlight) {
      const { rt, handle } = await openMfio(backend, file);
      return { run: readManyPlainRun(handle, inFlight), close: () => rt.close() };
    },
  };
}

const UV_IO_URING = { UV_USE_IO_URING: '1' };

/**
 * `@mfio/rt/promises`: the node:fs/promises `FileHandle.read(buffer, 0, size, position)` of the
 * facade over this backend, `inFlight` at a time: the peer of `node:promises`, with code written
 * for Node unchanged but the import.
 */
function facadeContender(backend: BackendName): Contender {
  return {
    name: `mfio:${backend}:fs-promises`,
    concurrency: 'window',
    async open(file, inFlight) {
      const rt = NativeRt.builder().enable(backend).build();
      const handle = await promisesOf(rt).open(file, 'r');
      return {
        run: (positions, size, digest) =>
          windowed(positions, size, inFlight, digest, async (position, buffer) => (await handle.read(buffer, 0, size, position)).bytesRead),
        close: async () => {
          await handle.close();
          await rt.close();
        },
      };
    },
  };
}

/**
 * Every contender, in report order. mfio contenders exist for every backend that starts here,
 * each tuned one followed by its `:plain` twin (so a name filter such as `readAt` keeps both,
 * and `:plain` keeps only the plain ones).
 */
export function contenders(): Contender[] {
  const backends = NativeRt.builder()
    .enableAll()
    .buildEach()
    .flatMap((r) => {
      void r.rt?.close();
      return r.rt ? [r.name] : [];
    });
  return [
    readSyncContender,
    callbackContender('node:read'),
    promisesContender('node:promises'),
    callbackContender('node:read+UV_USE_IO_URING', UV_IO_URING),
    promisesContender('node:promises+UV_USE_IO_URING', UV_IO_URING),
    ...backends.flatMap((backend) => [
      readAtContender(backend),
      readAtPlainContender(backend),
      readManyContender(backend),
      readManyPlainContender(backend),
      facadeContender(backend),
    ]),
    ...backends.filter((backend) => TSFN_BACKENDS.has(backend)).flatMap((backend) => [tsfn(readAtContender(backend)), tsfn(readManyContender(backend))]),
  ];
}

/** The backends whose completions can take either path (@mfio/rt's MFIO_DELIVERY); IOCP has only one. */
const TSFN_BACKENDS = new Set<BackendName>(['io_uring', 'threadpool']);

/**
 * `contender` with its completions woken through a thread-safe function and a native thread
 * (MFIO_DELIVERY=tsfn, what Bun and Deno use) instead of a libuv handle on Node's loop: the cost
 * of the path that needs no libuv, beside the default in the same run (`--contenders :tsfn`
 * with the untagged name, e.g. `--contenders io_uring:readAt,io_uring:readMany`).
 */
function tsfn(contender: Contender): Contender {
  return { ...contender, name: `${contender.name}:tsfn`, env: { ...contender.env, MFIO_DELIVERY: 'tsfn' } };
}
