import { MfioError, ReadBatch } from '../src/index.js';

function batch(lengths: number[], onDone = (): void => {}): ReadBatch {
  const offsets = new Float64Array(lengths.length);
  let total = 0;
  lengths.forEach((length, i) => {
    offsets[i] = total;
    total += length;
  });
  return new ReadBatch(
    Float64Array.from(lengths, (_, i) => i * 100),
    Float64Array.from(lengths),
    offsets,
    new Uint8Array(total),
    onDone,
  );
}

describe('ReadBatch', () => {
  test('is done once every request is reported, in any order, and runs onDone once', async () => {
    let done = 0;
    const b = batch([4, 4, 4], () => done++);
    const settled = b.whenDone();
    b.complete(2, 4);
    b.complete(0, 1); // short: end of file
    expect(b.done).toBe(false);
    b.complete(1, 4);
    expect(b.done).toBe(true);
    expect(done).toBe(1);
    await settled;
    expect(Array.from(b.got)).toEqual([1, 4, 4]);
    expect(b.firstError).toBeNull();
  });

  test('reporting a request twice, or one it does not have, is ERR_INVALID_STATE', () => {
    const b = batch([4, 4]);
    b.complete(0, 4);
    expect(() => b.complete(0, 4)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(() => b.fail(5, MfioError.fromCode('EIO'))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(b.done).toBe(false);
  });

  test('a transferred count past the length, negative or not an integer is ERR_OUT_OF_RANGE', () => {
    const b = batch([4]);
    for (const n of [5, -1, 1.5, Number.NaN]) {
      expect(() => b.complete(0, n)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    }
    expect(b.done).toBe(false);
    b.complete(0, 4);
    expect(b.done).toBe(true);
  });

  test('the first error is the lowest-numbered failed request, whatever the order', () => {
    const b = batch([4, 4, 4]);
    b.fail(2, MfioError.fromCode('EIO'), 1);
    b.fail(1, MfioError.fromCode('EBADF'), 2);
    b.complete(0, 4);
    expect(b.firstError).toMatchObject({ index: 1, error: { code: 'EBADF' } });
    expect(Array.from(b.got)).toEqual([4, 2, 1]);
  });

  test('failRest fails only what was not reported', () => {
    const b = batch([4, 4, 4]);
    b.complete(1, 4);
    b.failRest(MfioError.fromCode('EBADF'));
    expect(b.done).toBe(true);
    expect(b.firstError?.index).toBe(0);
    expect(Array.from(b.got)).toEqual([0, 4, 0]);
  });

  test('cancel runs the handlers once; a handler added after runs at once; none after done', () => {
    const b = batch([4]);
    const calls: string[] = [];
    b.onCancel(() => calls.push('first'));
    b.cancel();
    b.cancel();
    b.onCancel(() => calls.push('late'));
    expect(calls).toEqual(['first', 'late']);
    expect(b.cancelled).toBe(true);
    b.complete(0, 4);
    b.onCancel(() => calls.push('after done'));
    expect(calls).toEqual(['first', 'late']);
  });
});
