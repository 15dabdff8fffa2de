// Group commit: requests made while a flush is in flight share the next one, and none resolves
// before a flush that started after it was made. The flush here is a real timer-driven async
// call (a fake disk would only restate the code); `fs` conformance runs the real sync calls.
import { SeededRandom } from '@mfio/core';
import { GroupCommit } from '../src/fs/group-commit.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A flush of `ms` that records when each started and ended, failing when `fail(n)` says so. */
function recorder(ms: () => number, fail: (n: number) => boolean = () => false) {
  const starts: number[] = [];
  const ends: number[] = [];
  let inFlight = 0;
  let overlapped = false;
  const flush = async (): Promise<void> => {
    const n = starts.length;
    starts.push(performance.now());
    if (++inFlight > 1) overlapped = true;
    await sleep(ms());
    inFlight--;
    ends.push(performance.now());
    if (fail(n)) throw new Error(`flush ${n} failed`);
  };
  return { flush, starts, ends, overlapped: () => overlapped };
}

describe('GroupCommit', () => {
  test('ten requests at once cost two flushes: the first, and one for the other nine', async () => {
    const r = recorder(() => 20);
    const group = new GroupCommit(r.flush);
    await Promise.all(Array.from({ length: 10 }, () => group.request()));
    expect(group.flushes).toBe(2);
    expect(r.starts).toHaveLength(2);
  });

  test('a request made during a flush waits for the next one, which starts after it', async () => {
    const r = recorder(() => 30);
    const group = new GroupCommit(r.flush);
    const first = group.request();
    await sleep(10); // the first flush is in flight
    const madeAt = performance.now();
    let resolvedAt = 0;
    const second = group.request().then(() => (resolvedAt = performance.now()));
    await first;
    expect(resolvedAt).toBe(0); // not answered by the flush that was already running
    await second;
    expect(r.starts[1]).toBeGreaterThanOrEqual(madeAt);
    expect(resolvedAt).toBeGreaterThanOrEqual(r.ends[1]!);
  });

  test('random arrivals: every request is answered by a flush that started after it; flushes never overlap', async () => {
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
    expect(r.overlapped()).toBe(false);
    expect(group.flushes).toBeLessThan(150);
  });

  test('a failed flush rejects every request that shared it; the next request flushes again', async () => {
    const r = recorder(
      () => 10,
      (n) => n === 1,
    );
    const group = new GroupCommit(r.flush);
    const first = group.request();
    const shared = [group.request(), group.request()];
    await first;
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
