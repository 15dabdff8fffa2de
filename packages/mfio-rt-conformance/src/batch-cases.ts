import { SeededRandom, type MfioError } from '@mfio/core';
import type { SuiteContext } from './context.js';
import type { FixtureFile } from './fixture.js';
import { HANG_MS, describeInFlight, sameBytes, track, within } from './helpers.js';

/** More requests than any backend takes at once (a 256-entry ring, a 4,096-request pool). */
const REQUESTS = 5_000;

function largeFile(ctx: SuiteContext): FixtureFile {
  const large = ctx.fixture.files.find((f) => f.path.startsWith('large/'));
  if (large === undefined) throw new Error('the fixture has no large file (MFIO_TEST_LARGE_FILES=0?)');
  return large;
}

/**
 * Registers the cases of `readMany`, which native backends take whole (one ReadBatch, no view
 * per request) and the others as one view per request: both must give the same answers.
 */
export function batchCases(ctx: SuiteContext): void {
  describe('readMany batches', () => {
    ctx.test(`${REQUESTS} requests in one batch, empty and short ones among them, read byte for byte`, async () => {
      const { path, data } = largeFile(ctx);
      const random = new SeededRandom(5_000);
      const requests: Array<[number, number]> = Array.from({ length: REQUESTS }, (_, i) => {
        if (i % 500 === 1) return [random.int(data.length), 0]; // empty
        if (i % 500 === 2) return [data.length - random.int(64), 4096]; // crosses the end
        if (i % 500 === 3) return [data.length + random.int(4096), 16]; // past the end
        return [random.int(data.length), random.range(1, 8192)];
      });
      const file = await ctx.fs.open(ctx.absolute(path));
      try {
        const result = await file.readMany(requests);
        requests.forEach(([position, length], i) => {
          const start = Math.min(position, data.length);
          const expected = data.subarray(start, Math.min(position + length, data.length));
          expect(result.lengths[i]).toBe(expected.length);
          sameBytes(result.at(i), expected, `request ${i}: ${length} at ${position}`);
        });
      } finally {
        await file.close();
      }
    });

    ctx.test('a batch on a handle opened for writing only fails with EBADF', async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('write-only.bin', { write: true, createNew: true });
      await file.writeAllAt(0, Buffer.alloc(4096, 7));
      await expect(
        file.readMany([
          [0, 16],
          [100, 16],
        ]),
      ).rejects.toMatchObject({ code: 'EBADF' });
      await file.close();
    });

    ctx.test('a batch on a closed handle fails with EBADF', async () => {
      const { path } = largeFile(ctx);
      const file = await ctx.fs.open(ctx.absolute(path));
      await file.close();
      await expect(file.readMany([[0, 16]])).rejects.toMatchObject({ code: 'EBADF' });
    });

    ctx.test('an aborted batch rejects at once; once released, nothing writes its buffer', async () => {
      const { path, data } = largeFile(ctx);
      const random = new SeededRandom(41);
      const positions = Array.from({ length: 20_000 }, () => random.int(data.length - 512));
      const into = Buffer.alloc(positions.length * 512);
      const file = await ctx.fs.open(ctx.absolute(path));
      try {
        // Abort right after the first submission, while most of the batch is still to go; a
        // backend fast enough to finish first gets a few more tries.
        for (let attempt = 1; ; attempt++) {
          const controller = new AbortController();
          const batch = track(file.readMany({ positions, lengths: 512 }, { signal: controller.signal, into }));
          await Promise.resolve();
          await Promise.resolve();
          controller.abort();
          await Promise.resolve();
          expect(batch.settled).toBe(true);
          const outcome = await batch.outcome;
          if (outcome.status === 'fulfilled') {
            if (attempt < 5) continue;
            throw new Error('every batch finished before its abort: nothing was tested');
          }
          const error = outcome.reason as MfioError;
          expect(error.code).toBe('ABORT_ERR');
          await within(error.released!, HANG_MS, 'released', () => describeInFlight(ctx.fs));
          into.fill(0xee);
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(into.every((byte) => byte === 0xee)).toBe(true);
          break;
        }
        // The handle goes on working.
        sameBytes(await file.readAt(4096, 16), data.subarray(4096, 4112), 'a read after the abort');
      } finally {
        await file.close();
      }
    });

    ctx.test('a close right after a batch waits for it, and the batch reads every byte', async () => {
      const { path, data } = largeFile(ctx);
      const random = new SeededRandom(43);
      const positions = Array.from({ length: 2_000 }, () => random.int(data.length - 256));
      const file = await ctx.fs.open(ctx.absolute(path));
      const batch = file.readMany({ positions, lengths: 256 });
      const closing = file.close();
      const result = await batch;
      positions.forEach((position, i) => sameBytes(result.at(i), data.subarray(position, position + 256), `request ${i} at ${position}`));
      await closing;
    });

    ctx.test('rt.close with a batch in flight settles the batch', async () => {
      const subject = await ctx.fresh();
      const file = await subject.fs.open('batch.bin', { read: true, write: true, createNew: true });
      await file.writeAllAt(0, Buffer.alloc(4 << 20, 3));
      const random = new SeededRandom(47);
      const positions = Array.from({ length: 20_000 }, () => random.int((4 << 20) - 256));
      const batch = track(file.readMany({ positions, lengths: 256 }));
      // Bounded by the batch (files close after their requests): 20,000 reads through a loaded
      // machine, or through netfs, can take seconds, so only a hang is detected here.
      await within(subject.close(), HANG_MS, 'rt.close()', () => describeInFlight(subject.fs));
      expect(batch.settled).toBe(true); // close settles after every promise it handed out
      const outcome = await batch.outcome;
      if (outcome.status === 'fulfilled') expect(outcome.value.at(19_999)).toEqual(Buffer.alloc(256, 3));
      else expect((outcome.reason as MfioError).code).toMatch(/^(ECANCELED|EBADF)$/);
    });
  });
}
