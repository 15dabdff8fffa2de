import { MfioError, Packet, PacketView, SeededRandom } from '../src/index.js';

/** What the model says each byte ended as. */
const PENDING = 0;
const DONE = 1;
const MISSING = 2; // short transfer: not transferred, no error
const FAILED = 3;

describe('Packet fragment accounting', () => {
  test('random splits completed in random order settle exactly once with the contiguous count and first error', () => {
    const random = new SeededRandom(20261125);
    for (let round = 0; round < 5000; round++) {
      const length = random.int(200);
      const bytes = new Uint8Array(length);
      let settledCount = 0;
      let fragments = 0;
      const packet = new Packet(bytes, random.int(2) ? 'read' : 'write', {
        onSettle: () => settledCount++,
        onFragment: () => fragments++,
      });
      const state = new Uint8Array(length);
      let firstError: { start: number; error: MfioError } | null = null;
      const open: PacketView[] = [packet.view()];
      let completed = 0;
      while (open.length > 0) {
        expect(packet.settled).toBe(false);
        const i = random.int(open.length);
        const view = open[i]!;
        if (view.length > 1 && random.int(3) === 0) {
          open.splice(i, 1, ...view.splitAt(1 + random.int(view.length - 1)));
          continue;
        }
        open.splice(i, 1);
        completed++;
        const outcome = random.int(10);
        if (outcome < 6) {
          view.complete();
          state.fill(DONE, view.start, view.end);
        } else if (outcome < 8) {
          const n = random.int(view.length + 1);
          view.complete(n);
          state.fill(DONE, view.start, view.start + n);
          state.fill(MISSING, view.start + n, view.end);
        } else {
          const error = MfioError.fromCode('EIO', { position: view.start });
          view.fail(error);
          state.fill(FAILED, view.start, view.end);
          if (firstError === null || view.start < firstError.start) firstError = { start: view.start, error };
        }
      }
      expect(settledCount).toBe(1);
      expect(fragments).toBe(completed);
      expect(state.includes(PENDING)).toBe(false);
      const firstGap = state.findIndex((s) => s !== DONE);
      const result = packet.result();
      expect(result.transferred).toBe(firstGap === -1 ? length : firstGap);
      expect(result.error).toBe(firstError?.error ?? null);
    }
  });

  test('views() covers the packet with tagged consecutive views', () => {
    const packet = new Packet(new Uint8Array(10), 'read');
    const views = packet.views([3, 1, 6]);
    expect(views.map((v) => [v.start, v.end, v.tag])).toEqual([
      [0, 3, 0],
      [3, 4, 1],
      [4, 10, 2],
    ]);
    views[2]!.complete();
    views[0]!.complete();
    expect(packet.settled).toBe(false);
    views[1]!.complete(0);
    expect(packet.result()).toEqual({ transferred: 3, error: null });
  });

  test('an empty packet settles when its one view completes', async () => {
    const packet = new Packet(new Uint8Array(0), 'read');
    const settled = packet.whenSettled();
    packet.view().complete();
    await expect(settled).resolves.toEqual({ transferred: 0, error: null });
  });

  test('views([]) on an empty packet settles at once', () => {
    const packet = new Packet(new Uint8Array(0), 'write');
    expect(packet.views([])).toEqual([]);
    expect(packet.settled).toBe(true);
  });

  test('a split view inherits its tag', () => {
    const [a, b] = new Packet(new Uint8Array(4), 'read').views([4])[0]!.splitAt(1);
    expect([a.tag, b.tag]).toEqual([0, 0]);
  });

  test('whenSettled resolves for waiters registered before and after settling', async () => {
    const packet = new Packet(new Uint8Array(4), 'read');
    const before = packet.whenSettled();
    packet.view().complete(2);
    await expect(before).resolves.toEqual({ transferred: 2, error: null });
    await expect(packet.whenSettled()).resolves.toEqual({ transferred: 2, error: null });
  });
});

describe('Packet programming errors', () => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      return (error as MfioError).code;
    }
    return undefined;
  };

  test('completing a view twice throws ERR_INVALID_STATE', () => {
    const view = new Packet(new Uint8Array(4), 'read').view();
    view.complete();
    expect(code(() => view.complete())).toBe('ERR_INVALID_STATE');
    expect(code(() => view.fail(MfioError.fromCode('EIO')))).toBe('ERR_INVALID_STATE');
  });

  test('completing or splitting a view that was split throws ERR_INVALID_STATE', () => {
    const view = new Packet(new Uint8Array(4), 'read').view();
    view.splitAt(2);
    expect(code(() => view.complete())).toBe('ERR_INVALID_STATE');
    expect(code(() => view.splitAt(1))).toBe('ERR_INVALID_STATE');
  });

  test('completing more bytes than the view has throws ERR_OUT_OF_RANGE and leaves it outstanding', () => {
    const packet = new Packet(new Uint8Array(4), 'read');
    const view = packet.view();
    expect(code(() => view.complete(5))).toBe('ERR_OUT_OF_RANGE');
    expect(code(() => view.complete(-1))).toBe('ERR_OUT_OF_RANGE');
    expect(code(() => view.complete(1.5))).toBe('ERR_OUT_OF_RANGE');
    expect(packet.settled).toBe(false);
    view.complete(4);
    expect(packet.result().transferred).toBe(4);
  });

  test('splitting at 0 or at the end throws ERR_OUT_OF_RANGE', () => {
    const view = new Packet(new Uint8Array(4), 'read').view();
    expect(code(() => view.splitAt(0))).toBe('ERR_OUT_OF_RANGE');
    expect(code(() => view.splitAt(4))).toBe('ERR_OUT_OF_RANGE');
    expect(view.splitAt(3).map((v) => v.length)).toEqual([3, 1]);
  });

  test('a packet hands out its views once', () => {
    const packet = new Packet(new Uint8Array(4), 'read');
    packet.view();
    expect(code(() => packet.view())).toBe('ERR_INVALID_STATE');
    expect(code(() => packet.views([4]))).toBe('ERR_INVALID_STATE');
  });

  test('views() rejects lengths that do not cover the packet', () => {
    expect(code(() => new Packet(new Uint8Array(4), 'read').views([1, 2]))).toBe('ERR_OUT_OF_RANGE');
    expect(code(() => new Packet(new Uint8Array(4), 'read').views([4, 0]))).toBe('ERR_OUT_OF_RANGE');
  });

  test('result() before settling throws ERR_INVALID_STATE', () => {
    expect(code(() => new Packet(new Uint8Array(1), 'read').result())).toBe('ERR_INVALID_STATE');
  });
});

describe('Packet cancellation', () => {
  test('cancel runs the backend handlers once; the packet settles only when its views complete', () => {
    const packet = new Packet(new Uint8Array(4), 'read');
    const view = packet.view();
    let calls = 0;
    packet.onCancel(() => calls++);
    packet.cancel();
    packet.cancel();
    expect(calls).toBe(1);
    expect(packet.cancelled).toBe(true);
    expect(packet.settled).toBe(false);
    view.fail(MfioError.fromCode('ECANCELED'));
    expect(packet.result().error?.code).toBe('ECANCELED');
  });

  test('a handler registered after cancel runs at once; after settling, never', () => {
    const cancelled = new Packet(new Uint8Array(1), 'read');
    cancelled.cancel();
    let ran = false;
    cancelled.onCancel(() => (ran = true));
    expect(ran).toBe(true);

    const done = new Packet(new Uint8Array(1), 'read');
    done.view().complete();
    done.onCancel(() => {
      throw new Error('must not run');
    });
    done.cancel();
    expect(done.cancelled).toBe(false);
  });
});
