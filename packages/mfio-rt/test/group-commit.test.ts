// Group commit: requests made in one turn share one flush, and none resolves before a flush
// that started after it was made. The flush here is a real timer-driven async
// call (a fake disk would only restate the code); `fs` conformance runs the real sync calls.
import { SeededRandom } from '@mfio/core';
import { GroupCommit } from '../src/fs/group-commit.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A flush of `ms` that records when each started and ended, failing when `fail(n)` says so. */
function recorder(ms: () => number, fail: (n: number) => boolean = () => false) {
  const starts: number[] = [];
  const ends: number[] = [];
  const flush = async (): Promise<void> => {
    const n = starts.length;
    starts.push(performance.now());
    await sleep(ms());
    ends[n] = performance.now(); // by flush: they may end out of order
    if (fail(n)) throw new Error(`flush ${n} failed`);
  };
  return { flush, starts, ends };
}

describe('GroupCommit', () => {
  test('ten requests made together cost one flush', async () => {
    const r = recorder(() => 20);
    const group = new GroupCommit(r.flush);
    await Promise.all(Array.from({ length: 10 }, () => group.request()));
    expect(group.flushes).toBe(1);
    expect(r.starts).toHaveLength(1);
  });

  test('a request made during a flush is not answered by it: a flush started after it is', async () => {
    // Flushes that end only when the test says, so nothing depends on timing.
    const ends: Array<() => void> = [];
    const group = new GroupCommit(() => new Promise<void>((resolve) => ends.push(resolve)));
    const turn = (): Promise<void> => new Promise(setImmediate);
    const first = group.request();
    await turn();
    expect(ends).toHaveLength(1); // the first flush is in flight
    let answered = false;
    const second = group.request().then(() => (answered = true));
    await turn();
    expect(ends).toHaveLength(2); // its own flush, started after it, beside the first
    ends[0]!();
    await first;
    await turn();
    expect(answered).toBe(false); // the first flush's end answers only the first request
    ends[1]!();
    await second;
    expect(group.flushes).toBe(2);
  });

  test('random arrivals: every request is answered by a flush that started after it, and flushes are shared', async () => {
    const random = new SeededRandom(19);
    const r = recorder(() => 1 + random.int(6));
    const group = new GroupCommit(r.flush);
    const checks: Array<Promise<void>> = [];
    for (let i = 0; i < 150; i++) {
      const madeAt = performance.now();
      const flushesBefore = r.starts.length;
      checks.push(
        group.request().then(() => {
          // Some flush that started after this request has ended by now.
          const answered = r.starts.some((start, k) => k >= flushesBefore && start >= madeAt && r.ends[k] !== undefined);
          expect(answered).toBe(true);
        }),
      );
      if (random.int(3) === 0) await sleep(random.int(4));
    }
    await Promise.all(checks);
    expect(group.flushes).toBeLessThan(100);
  });

  test('a failed flush rejects every request that shared it; the next request flushes again', async () => {
    const r = recorder(
      () => 10,
      (n) => n === 1,
    );
    const group = new GroupCommit(r.flush);
    await group.request(); // flush 0
    const shared = [group.request(), group.request()]; // flush 1, which fails
    for (const request of shared) await expect(request).rejects.toThrow('flush 1 failed');
    await group.request();
    expect(group.flushes).toBe(3);
  });

  test('a flush that throws before returning a promise rejects its requests', async () => {
    const group = new GroupCommit(() => {
      throw new Error('no');
    });
    await expect(group.request()).rejects.toThrow('no');
  });
});
