import { mergeRuns } from '../src/repeats.js';
import type { CaseResult } from '../src/measure.js';
import type { CaseSpec } from '../src/plan.js';

const spec = { contender: 'node:promises' } as CaseSpec;
const run = (readsPerSecond: number, verified = true, error?: string): CaseResult => ({
  spec,
  verified,
  readsPerSecond,
  mibPerSecond: readsPerSecond / 256,
  rme: 1,
  samples: 10,
  ...(error === undefined ? {} : { error }),
});

describe('mergeRuns', () => {
  test('one run is reported as it is', () => {
    expect(mergeRuns([run(100)])).toEqual(run(100));
  });

  test('several runs: the median run, the half-range as spread, every run listed', () => {
    const merged = mergeRuns([run(120), run(80), run(100)]);
    expect(merged).toMatchObject({ readsPerSecond: 100, mibPerSecond: 100 / 256, rme: 20, samples: 30, runs: [120, 80, 100], verified: true });
  });

  test('an even count takes the lower middle run; one unverified run marks the whole', () => {
    expect(mergeRuns([run(10), run(40), run(20, false), run(30)])).toMatchObject({ readsPerSecond: 20, verified: false });
  });

  test('a failed run fails the merged result', () => {
    expect(mergeRuns([run(10), run(0, false, 'child exited with 1')])).toMatchObject({ error: 'child exited with 1', runs: [10, 0] });
  });
});
