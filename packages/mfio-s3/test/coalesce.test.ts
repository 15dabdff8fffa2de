import { planRanges } from '../src/index.js';

/** The coalescing plan alone (no server): which requests share a GET. */
describe('planRanges', () => {
  const limits = { maxGap: 100, maxMergedSize: 1000, maxAmplification: 4 };

  test('requests within maxGap join; farther ones do not', () => {
    expect(planRanges([0, 150, 500], [50, 50, 50], limits)).toEqual([
      { start: 0, end: 200, members: [0, 1] },
      { start: 500, end: 550, members: [2] },
    ]);
  });

  test('a GET never grows past maxMergedSize, and a larger request is a GET alone', () => {
    expect(planRanges([0, 600, 1200], [500, 500, 2000], { ...limits, maxGap: 1000 }).map((r) => r.members)).toEqual([[0], [1], [2]]);
  });

  test('the amplification limit keeps sparse small requests apart', () => {
    // 100 bytes fetched for 20 wanted: 5 times.
    expect(planRanges([0, 90], [10, 10], limits).map((r) => r.members)).toEqual([[0], [1]]);
    expect(planRanges([0, 90], [10, 10], { ...limits, maxAmplification: 5 }).map((r) => r.members)).toEqual([[0, 1]]);
  });

  test('unsorted, overlapping and empty requests: sorted by position, overlaps counted once, empties left out', () => {
    expect(planRanges([300, 0, 10, 5], [10, 20, 20, 0], limits)).toEqual([
      { start: 0, end: 30, members: [1, 2] },
      { start: 300, end: 310, members: [0] },
    ]);
  });
});
