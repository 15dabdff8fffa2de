/** The growth rule: medians of the first and last thirds after the warm-up, with slack. */
import { judgeGrowth } from '../src/growth.js';

const bound = { warmupMs: 1000, absolute: 10, relative: 0.1 };
const samples = (values: number[]): Array<{ atMs: number; value: number }> => values.map((value, i) => ({ atMs: 1000 + i * 100, value }));

describe('judgeGrowth', () => {
  test('a flat series with a spike passes (one sample moves no median)', () => {
    const g = judgeGrowth(samples([100, 101, 99, 100, 100, 300, 100, 101, 100]), bound);
    expect(g).toMatchObject({ judged: true, early: 100, late: 100, allowed: 120, ok: true });
  });

  test('a steady climb past slack + ratio fails', () => {
    const g = judgeGrowth(samples([100, 110, 120, 130, 140, 150, 160, 170, 180]), bound);
    expect(g).toMatchObject({ judged: true, early: 110, late: 170, ok: false });
  });

  test('warm-up samples are left out, and too few samples are not judged', () => {
    const warm = [
      { atMs: 0, value: 1 },
      { atMs: 500, value: 2 },
    ];
    expect(judgeGrowth([...warm, ...samples([100, 100, 100, 100, 100, 100])], bound)).toMatchObject({ early: 100, ok: true });
    expect(judgeGrowth([...warm, ...samples([100, 500, 900])], bound)).toMatchObject({ judged: false, ok: true });
  });
});
