/**
 * Runs one remote case (netfs or HTTP, straight to the server or through the delay proxy) in
 * its own process, like run-case.ts, and prints one `RESULT {json}` line.
 * Usage: node dist/remote-case.js '<RemoteCaseSpec as JSON>'
 */
import { Bench } from 'tinybench';
import { dropCache } from './cache.js';
import { ReadDigest } from './checksum.js';
import { positions, type CaseSpec } from './plan.js';
import { referenceDigest } from './reference.js';
import { remoteContender, type Target } from './remote-contenders.js';
import type { CaseResult } from './run-case.js';

/** A case read from a server on this machine. */
export interface RemoteCaseSpec extends CaseSpec {
  target: Target;
  /** Milliseconds the delay proxy adds each way (0: no proxy). */
  delayMs: number;
}

async function runCase(spec: RemoteCaseSpec): Promise<CaseResult> {
  const contender = remoteContender(spec.contender);
  if (contender === undefined) throw new Error(`unknown remote contender ${spec.contender}`);
  const expected = referenceDigest(spec);
  const session = await contender.open(spec.target, spec.inFlight);
  try {
    const check = new ReadDigest();
    await session.run(positions(spec, spec.reads, 0), spec.size, check);
    const verified = check.value === expected;

    let iteration = 1;
    let plan = positions(spec, spec.reads, iteration);
    const cold = spec.cache === 'cold';
    // A remote iteration is slow (round trips, or a whole delay each): a few iterations within
    // the case's time, not tinybench's default 64, keep a case from taking minutes.
    const bench = new Bench(
      cold ? { iterations: 8, time: 0, warmupIterations: 0, warmupTime: 0 } : { iterations: 4, time: spec.time, warmupIterations: 1, warmupTime: Math.min(300, spec.time / 4) },
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
  } finally {
    await session.close();
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as RemoteCaseSpec;
runCase(spec).then(
  (result) => console.log(`RESULT ${JSON.stringify(result)}`),
  (error: unknown) => {
    const failed: CaseResult = { spec, verified: false, readsPerSecond: 0, mibPerSecond: 0, rme: 0, samples: 0, error: String((error as Error).stack ?? error) };
    console.log(`RESULT ${JSON.stringify(failed)}`);
  },
);
