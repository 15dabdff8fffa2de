import { Bench } from 'tinybench';
import { dropCache } from './cache.js';
import { ReadDigest } from './checksum.js';
import type { Session } from './contenders.js';
import { positions, type CaseSpec } from './plan.js';
import { referenceDigest } from './reference.js';

export interface CaseResult {
  spec: CaseSpec;
  verified: boolean;
  readsPerSecond: number;
  mibPerSecond: number;
  /** Relative margin of error of the throughput, in percent. */
  rme: number;
  samples: number;
  error?: string;
}

/** tinybench's settings for a hot case (cold cases always run 8 iterations, no warm-up). */
export interface HotIterations {
  /** Fewest iterations (tinybench's default is 64, too many for a slow remote iteration). */
  iterations?: number;
  warmupIterations?: number;
}

/**
 * Measure one case on an open session: its first iteration's reads are checked against Node's
 * synchronous reads, then tinybench times further iterations (new positions each).
 */
export async function measure(spec: CaseSpec, session: Session, hot: HotIterations = {}): Promise<CaseResult> {
  const check = new ReadDigest();
  await session.run(positions(spec, spec.reads, 0), spec.size, check);
  const verified = check.value === referenceDigest(spec);

  let iteration = 1;
  let plan = positions(spec, spec.reads, iteration);
  const cold = spec.cache === 'cold';
  // Cold: the pages are dropped once before measuring; a bounded number of iterations keeps
  // the window short enough that few reads hit pages an earlier read brought in.
  const bench = new Bench(
    cold ? { iterations: 8, time: 0, warmupIterations: 0, warmupTime: 0 } : { ...hot, time: spec.time, warmupTime: Math.min(300, spec.time / 4) },
  );
  bench.add(
    spec.contender,
    async () => {
      await session.run(plan, spec.size, new ReadDigest());
    },
    { beforeEach: () => void (plan = positions(spec, spec.reads, ++iteration)) },
  );
  if (cold) dropCache(spec.file);
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (!result || !('latency' in result)) throw new Error(`no measurement: ${JSON.stringify(result)}`);
  const readsPerSecond = (spec.reads * 1000) / result.latency.mean;
  return {
    spec,
    verified,
    readsPerSecond,
    mibPerSecond: (readsPerSecond * spec.size) / (1 << 20),
    rme: result.latency.rme,
    samples: result.latency.samplesCount,
  };
}

/** Print a child process's one `RESULT {json}` line: the case's result, or its failure. */
export function printResult(spec: CaseSpec, result: Promise<CaseResult>): void {
  result.then(
    (done) => console.log(`RESULT ${JSON.stringify(done)}`),
    (error: unknown) => {
      const failed: CaseResult = {
        spec,
        verified: false,
        readsPerSecond: 0,
        mibPerSecond: 0,
        rme: 0,
        samples: 0,
        error: String((error as Error).stack ?? error),
      };
      console.log(`RESULT ${JSON.stringify(failed)}`);
    },
  );
}
