// readMany merging: whatever merges, every request gets exactly what it would get read alone
// (bytes, count, and for a failing batch the lowest-numbered failed request's error), on both
// paths: views (the in-memory file) and whole batches (a BatchReadIo).
import {
  MemoryBackend,
  MemoryFile,
  MfioError,
  ReadBatch,
  readMany,
  SeededRandom,
  type BatchReadIo,
  type PacketView,
  type ReadManyOptions,
} from '../src/index.js';
import { sortedOrder } from '../src/read-merge.js';

type Request = [position: number, length: number];
interface Limits {
  maxMergedSize: number;
  maxGap: number;
}

const turn = (): Promise<void> => new Promise(setImmediate);

/** Bytes `[start, end)` of a file; its length says where the file ends. */
interface Source {
  readonly length: number;
  slice(start: number, end: number): Uint8Array;
}

/** A file whose bytes are `[start, end)` read past a bad range `[badStart, badEnd)`. */
interface Faults {
  badStart: number;
  badEnd: number;
}

/**
 * What reading `length` bytes at `position` alone gives: its bytes, or EIO when it touches the
 * bad range, after the bytes before it, at the position where it failed (as native backends
 * report it).
 */
function readAlone(source: Source, [position, length]: Request, faults?: Faults): { bytes: Uint8Array; error: MfioError | null } {
  const end = Math.min(position + length, source.length);
  const start = Math.min(position, end);
  if (faults !== undefined && length > 0 && position < faults.badEnd && position + length > faults.badStart && start < end) {
    const stop = Math.max(start, Math.min(end, faults.badStart));
    const error = MfioError.fromCode('EIO', { syscall: 'read', position: Math.max(position, faults.badStart) });
    return { bytes: source.slice(start, stop), error };
  }
  return { bytes: source.slice(start, end), error: null };
}

/** The batch read alone, request by request: what readMany must answer. */
async function expectAsAlone(source: Source, requests: Request[], run: Promise<unknown>, faults?: Faults): Promise<void> {
  const outcomes = requests.map((r) => readAlone(source, r, faults));
  const failed = outcomes.findIndex((o) => o.error !== null);
  if (failed >= 0) {
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'EIO', position: outcomes[failed]!.error!.position, bytesTransferred: outcomes[failed]!.bytes.length });
    return;
  }
  const result = (await run) as Awaited<ReturnType<typeof readMany>>;
  expect(result.count).toBe(requests.length);
  outcomes.forEach(({ bytes }, i) => {
    if (result.lengths[i] !== bytes.length || !result.at(i).equals(bytes)) {
      throw new Error(`request ${i} (${requests[i]!.join(', ')}): ${result.lengths[i]} bytes, not the ${bytes.length} read alone`);
    }
  });
}

/**
 * How many reads greedy merging by position makes of `requests` (the model of the plan): none
 * saved when that would be fewer than one in 16 (readMany's threshold).
 */
function mergedReadCount(requests: Request[], { maxMergedSize, maxGap }: Limits): number {
  const sorted = requests.filter(([, len]) => len > 0).sort((a, b) => a[0] - b[0]);
  let reads = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [pos, len] of sorted) {
    if (maxMergedSize > 0 && pos - end <= maxGap && Math.max(end, pos + len) - start <= maxMergedSize) {
      end = Math.max(end, pos + len);
    } else {
      reads++;
      start = pos;
      end = pos + len;
    }
  }
  return (sorted.length - reads) * 16 < sorted.length ? sorted.length : reads;
}

/** Every read a backend was asked for, with the buffer it read into. */
interface Seen {
  position: number;
  length: number;
  buffer: ArrayBufferLike;
}

/**
 * A BatchReadIo over `source`: completes each batch's reads on a later turn, in a shuffled
 * order, and fails the ones touching the bad range as {@link readAlone} says.
 */
class BatchFile implements BatchReadIo {
  readonly seen: Seen[] = [];
  readonly batches: ReadBatch[] = [];
  /** Each held batch's completions, waiting for {@link flush} (only with `hold`). */
  readonly held: Array<Array<() => void>> = [];
  readonly #source: Source;
  readonly #random: SeededRandom;
  readonly #faults: Faults | undefined;
  readonly #hold: boolean;

  constructor(source: Source, options: { seed?: number; faults?: Faults; hold?: boolean } = {}) {
    this.#source = source;
    this.#random = new SeededRandom(options.seed ?? 1);
    this.#faults = options.faults;
    this.#hold = options.hold ?? false;
  }

  sendIo(): void {
    throw new Error('readMany sends a BatchReadIo batches, never views');
  }

  readBatch(batch: ReadBatch): void {
    this.batches.push(batch);
    const order = this.#random.shuffle(Array.from({ length: batch.count }, (_, i) => i));
    const completions = order.map((i) => {
      const request: Request = [batch.positions[i]!, batch.lengths[i]!];
      this.seen.push({ position: request[0], length: request[1], buffer: batch.buffer.buffer });
      return () => {
        if (batch.cancelled) return batch.fail(i, MfioError.fromCode('ECANCELED', { syscall: 'read', position: request[0] }));
        const { bytes, error } = readAlone(this.#source, request, this.#faults);
        batch.buffer.set(bytes, batch.offsets[i]);
        if (error === null) batch.complete(i, bytes.length);
        else batch.fail(i, error, bytes.length);
      };
    });
    if (this.#hold) this.held.push(completions);
    else setImmediate(() => completions.forEach((c) => c()));
  }

  /** Run the completions held now (not those of batches they lead to). */
  flush(): void {
    for (const completions of this.held.splice(0)) for (const completion of completions) completion();
  }
}

/**
 * A view-path file over `source` (no readBatch): each read arrives as a view, completes on a
 * later turn, and a read touching the bad range completes its bytes before it and fails the
 * rest, as {@link readAlone} says.
 */
class ViewFile {
  readonly seen: Seen[] = [];
  readonly #source: Source;
  readonly #faults: Faults | undefined;

  constructor(source: Source, faults?: Faults) {
    this.#source = source;
    this.#faults = faults;
  }

  sendIo(position: number, view: PacketView): void {
    this.seen.push({ position, length: view.length, buffer: view.packet.buffer.buffer });
    setImmediate(() => {
      const { bytes, error } = readAlone(this.#source, [position, view.length], this.#faults);
      view.packet.buffer.set(bytes, view.start);
      if (error === null) return view.complete(bytes.length);
      if (bytes.length === 0) return view.fail(error);
      const [head, tail] = view.splitAt(bytes.length);
      head.complete();
      tail.fail(error);
    });
  }
}

/**
 * A seeded batch that exercises merging under `limits` over a file of `size` bytes: runs read
 * back to back (merged in place), the same runs out of order (merged through scratch),
 * overlaps, duplicates, empty requests, requests past and across the end, gaps of the limit and
 * one byte either side, unions of exactly the merged size and one byte more, and random ones.
 */
function requestsFor(random: SeededRandom, size: number, { maxMergedSize, maxGap }: Limits, count: number): Request[] {
  const out: Request[] = [];
  const len = (): number => random.range(1, Math.max(1, Math.min(300, maxMergedSize)));
  while (out.length < count) {
    const pos = random.int(size);
    switch (random.int(10)) {
      case 0: {
        // A sequential run, in order.
        let at = pos;
        for (let k = random.range(2, 6); k > 0; k--) {
          const l = len();
          out.push([at, l]);
          at += l;
        }
        break;
      }
      case 1: {
        // The same run, out of order.
        const run: Request[] = [];
        let at = pos;
        for (let k = random.range(2, 6); k > 0; k--) {
          const l = len();
          run.push([at, l]);
          at += l;
        }
        out.push(...random.shuffle(run));
        break;
      }
      case 2: {
        // Overlapping, and a duplicate.
        const l = len();
        out.push([pos, l], [pos + random.int(l), len()]);
        if (random.int(2) === 0) out.push([pos, l]);
        break;
      }
      case 3:
        // Empty, past the end, across the end.
        out.push([pos, 0], [size + random.int(100), random.range(0, 50)], [Math.max(0, size - random.int(50)), random.range(1, 100)]);
        break;
      case 4: {
        // Gaps of the limit, and one byte either side.
        const l = len();
        const gap = maxGap + random.range(-1, 1);
        out.push([pos, l], [pos + l + Math.max(0, gap), len()]);
        break;
      }
      case 5: {
        // Two requests whose union is exactly the merged size, or one byte more.
        const union = maxMergedSize + random.int(2);
        if (union < 2) break;
        const first = random.range(1, union - 1);
        out.push([pos, first], [pos + first, union - first]);
        break;
      }
      default:
        out.push([random.int(size + 200), random.range(0, 300)]);
    }
  }
  return out;
}

const LIMITS: Limits[] = [
  { maxMergedSize: 4096, maxGap: 100 },
  { maxMergedSize: 300, maxGap: 16 },
  { maxMergedSize: 64, maxGap: 0 },
  { maxMergedSize: 1, maxGap: 1 },
  { maxMergedSize: 0, maxGap: 4096 },
];

describe('readMany merging', () => {
  const random = new SeededRandom(2024);
  const data = random.bytes(16 * 1024);
  const source: Source = { length: data.length, slice: (start, end) => data.subarray(start, end) };

  describe.each(LIMITS)('with maxMergedSize %p', (limits) => {
    test.each([1, 2, 3, 4, 5, 6])('seeded batches match reading alone, on both paths, with and without into (seed %i)', async (seed) => {
      const rng = new SeededRandom(seed);
      // 200 requests sort by packed keys, 1,200 by radix.
      const requests = requestsFor(rng, data.length, limits, seed <= 3 ? 200 : 1200);
      const total = requests.reduce((sum, [, l]) => sum + l, 0);
      const options: ReadManyOptions = { ...limits };
      const batched = new BatchFile(source, { seed });
      await expectAsAlone(source, requests, readMany(batched, requests, options));
      // The batch path saw exactly the reads the model merges to (and, unmerged, the empty
      // requests too, which the backend completes without I/O).
      const reads = batched.seen.filter((read) => read.length > 0);
      expect(reads.length).toBe(mergedReadCount(requests, limits));
      for (const read of reads) {
        const oneRequest = requests.some(([p, l]) => p === read.position && l === read.length);
        if (!oneRequest) expect(read.length).toBeLessThanOrEqual(limits.maxMergedSize);
      }
      const viewed = new ViewFile(source);
      await expectAsAlone(source, requests, readMany(viewed, requests, options));
      expect(viewed.seen.length).toBe(mergedReadCount(requests, limits));
      const fragmented = new MemoryFile(data, { backend: new MemoryBackend({ maxFragments: 6, shuffle: true, seed }) });
      await expectAsAlone(source, requests, fragmented.readMany(requests, options));
      // Into a caller's buffer: the same layout, nothing written past the requests' bytes.
      for (const io of [new BatchFile(source, { seed }), new ViewFile(source)]) {
        const into = Buffer.alloc(total + 64, 0xee);
        const run = readMany(io, requests, { ...options, into });
        await expectAsAlone(source, requests, run);
        const result = await run;
        expect(result.buffer.buffer).toBe(into.buffer);
        let offset = 0;
        requests.forEach(([, l], i) => {
          expect(result.offsets[i]).toBe(offset);
          offset += l;
        });
        expect(into.subarray(total).every((b) => b === 0xee)).toBe(true);
      }
    });

    test('a bad range fails the lowest-numbered request that touches it, with its own position and count; one only in a gap fails nothing', async () => {
      const rng = new SeededRandom(77);
      for (let round = 0; round < 40; round++) {
        const requests = requestsFor(rng, data.length, limits, 60);
        const badStart = rng.int(data.length - 64);
        const faults: Faults = { badStart, badEnd: badStart + rng.range(1, 64) };
        await expectAsAlone(source, requests, readMany(new BatchFile(source, { seed: round, faults }), requests, limits), faults);
        await expectAsAlone(source, requests, readMany(new ViewFile(source, faults), requests, limits), faults);
      }
    });
  });

  test('a scan read back to back lands in the result buffer with one read; the same requests out of order go through scratch', async () => {
    const requests: Request[] = [
      [1000, 100],
      [1100, 0],
      [1100, 50],
      [1150, 200],
    ];
    const into = Buffer.alloc(350);
    const io = new BatchFile(source);
    const result = await readMany(io, requests, { into });
    expect(io.seen).toEqual([{ position: 1000, length: 350, buffer: into.buffer }]);
    expect(result.buffer.equals(Buffer.from(data.subarray(1000, 1350)))).toBe(true);

    const reversed = requests.slice().reverse();
    const scratch = new BatchFile(source);
    await expectAsAlone(source, reversed, readMany(scratch, reversed, { into }));
    expect(scratch.seen).toHaveLength(1);
    expect(scratch.seen[0]).toMatchObject({ position: 1000, length: 350 });
    expect(scratch.seen[0]!.buffer).not.toBe(into.buffer);
  });

  test('random positions that never come close are read as they are, one read each', async () => {
    const requests: Request[] = Array.from({ length: 64 }, (_, i) => [((i * 7919) % 64) * 256, 16]);
    const io = new BatchFile(source);
    await expectAsAlone(source, requests, readMany(io, requests, { maxGap: 16 }));
    expect(io.seen).toHaveLength(64);
    expect(io.batches).toHaveLength(1);
  });

  test('merging that saves fewer than one read in 16 is not worth it: the batch is read as it is', async () => {
    const apart = (count: number): Request[] => Array.from({ length: count }, (_, i) => [((i * 7919) % count) * 200, 16]);
    const few = [...apart(63), [200, 16] as Request]; // one duplicate in 64 requests
    const unmerged = new BatchFile(source);
    await expectAsAlone(source, few, readMany(unmerged, few));
    expect(unmerged.seen).toHaveLength(64);
    const enough = [...apart(15), [200, 16] as Request]; // one in 16
    const merged = new BatchFile(source);
    await expectAsAlone(source, enough, readMany(merged, enough));
    expect(merged.seen).toHaveLength(15);
  });

  test('the sort orders nonzero requests by position then index, for every size and range', () => {
    const rng = new SeededRandom(99);
    for (const count of [2, 100, 255, 256, 1000, 5000]) {
      for (const range of [1, 2 ** 10, 2 ** 24 + 7, 2 ** 33 + 5, 2 ** 52]) {
        const positions = Float64Array.from({ length: count }, () => 1000 + rng.int(range));
        const wanted = Float64Array.from({ length: count }, () => (rng.int(8) === 0 ? 0 : 1));
        const expected = Array.from({ length: count }, (_, i) => i)
          .filter((i) => wanted[i] !== 0)
          .sort((a, b) => positions[a]! - positions[b]! || a - b);
        expect(Array.from(sortedOrder(positions, wanted))).toEqual(expected);
      }
    }
  });

  test('positions too large to pack with their index still sort right', async () => {
    const far = 2 ** 52;
    const huge: Source = { length: far + 10_000, slice: (start, end) => Uint8Array.from({ length: end - start }, (_, k) => (start + k) % 251) };
    const requests: Request[] = [
      [far + 300, 100],
      [far, 100],
      [far + 100, 100],
      [5, 10],
      [far + 5000, 1],
    ];
    const io = new BatchFile(huge);
    await expectAsAlone(huge, requests, readMany(io, requests, { maxGap: 100 }));
    expect(io.seen).toHaveLength(3);
  });

  test('batches in flight together never share scratch, whether it is kept from an earlier one or new', async () => {
    const rng = new SeededRandom(31);
    for (let round = 0; round < 20; round++) {
      const batches = Array.from({ length: 3 }, (_, b) => {
        // A run read in reverse goes through scratch; sizes vary, so kept scratch is sometimes
        // too small and sometimes larger than needed.
        const run: Request[] = [];
        let at = rng.int(data.length / 2);
        for (let k = rng.range(2, 40); k > 0; k--) {
          const l = rng.range(1, 200);
          run.push([at, l]);
          at += l;
        }
        run.reverse();
        return expectAsAlone(source, run, readMany(b === 1 ? new ViewFile(source) : new BatchFile(source, { seed: round * 3 + b }), run));
      });
      await Promise.all(batches);
    }
  });

  test('scratch kept from an earlier batch goes to one batch at a time', async () => {
    const io = new BatchFile(source, { hold: true });
    const reversed = (at: number): Request[] => [
      [at + 300, 100],
      [at + 200, 100],
      [at + 100, 100],
      [at, 100],
      [at + 5000, 10], // alone: a second part, read into the result
    ];
    const warm = readMany(io, reversed(0));
    io.flush();
    await expectAsAlone(source, reversed(0), warm); // its scratch is kept
    const runs = [1000, 2000, 3000].map((at) => readMany(io, reversed(at)));
    // Every batch's scratch read first, then the reads into the results, which finish them:
    // batches sharing scratch would copy out each other's bytes.
    const held = io.held.splice(0);
    expect(held).toHaveLength(6);
    for (const completions of [held[0]!, held[2]!, held[4]!, held[1]!, held[3]!, held[5]!]) for (const c of completions) c();
    await Promise.all([1000, 2000, 3000].map((at, k) => expectAsAlone(source, reversed(at), runs[k]!)));
  });

  test('an abort rejects at once; released waits for every read, scratch included', async () => {
    for (const path of ['batch', 'views'] as const) {
      const backend = new MemoryBackend({ completion: 'manual' });
      const file = new MemoryFile(data, { backend });
      const held = new BatchFile(source, { hold: true });
      const controller = new AbortController();
      // In place (0..300) and through scratch (the 1000.. run, reversed).
      const requests: Request[] = [
        [0, 100],
        [100, 200],
        [1100, 100],
        [1000, 100],
      ];
      const into = Buffer.alloc(500);
      const io = path === 'batch' ? held : file;
      const batch = readMany(io, requests, { signal: controller.signal, into, maxGap: 0 }).catch((e: MfioError) => e);
      controller.abort();
      const error = (await batch) as MfioError;
      expect(error).toMatchObject({ code: 'ABORT_ERR' });
      let released = false;
      void error.released!.then(() => (released = true));
      await turn();
      expect(released).toBe(false);
      if (path === 'batch') {
        expect(held.batches).toHaveLength(2);
        expect(held.batches.every((b) => b.cancelled)).toBe(true);
        held.flush();
      } else {
        expect(backend.pending).toBe(2);
        backend.flush();
      }
      await turn();
      expect(released).toBe(true);
    }
  });

  test('an abort while failed merged requests are read again alone rejects at once and waits for them', async () => {
    const held = new BatchFile(source, { hold: true, faults: { badStart: 150, badEnd: 160 } });
    const controller = new AbortController();
    // Merged over the bad range in a gap: read again alone, where they succeed.
    const batch = readMany(
      held,
      [
        [100, 40],
        [170, 40],
      ],
      { signal: controller.signal, maxGap: 64 },
    ).catch((e: MfioError) => e);
    held.flush(); // the merged read fails
    await turn();
    expect(held.batches).toHaveLength(2);
    controller.abort();
    const error = (await batch) as MfioError;
    expect(error.code).toBe('ABORT_ERR');
    let released = false;
    void error.released!.then(() => (released = true));
    await turn();
    expect(released).toBe(false);
    held.flush();
    await turn();
    expect(released).toBe(true);
  });

  test('a backend that throws before taking a merged batch rejects with what it threw', async () => {
    const thrown = new Error('backend bug');
    const io: BatchReadIo = {
      sendIo: () => undefined,
      readBatch: () => {
        throw thrown;
      },
    };
    await expect(
      readMany(io, [
        [0, 10],
        [10, 10],
      ]),
    ).rejects.toBe(thrown);
  });

  test('bad limits are rejected before any I/O, as the other options', async () => {
    const io = new BatchFile(source);
    const pair: Request[] = [
      [0, 1],
      [1, 1],
    ];
    await expect(readMany(io, pair, { maxMergedSize: -1 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: 'The value of "options.maxMergedSize" is out of range. It must be an integer >= 0 and <= 9007199254740991. Received -1',
    });
    await expect(readMany(io, pair, { maxGap: 1.5 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE', message: expect.stringContaining('"options.maxGap"') });
    await expect(readMany(io, pair, { maxGap: '8' as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
      message: `The "options.maxGap" argument must be of type number. Received '8'`,
    });
    expect(io.seen).toHaveLength(0);
  });

  test('maxMergedSize 0 turns merging off', async () => {
    const io = new BatchFile(source);
    const requests: Request[] = Array.from({ length: 10 }, (_, i) => [i * 10, 10]);
    await expectAsAlone(source, requests, readMany(io, requests, { maxMergedSize: 0 }));
    expect(io.seen).toHaveLength(10);
  });
});
