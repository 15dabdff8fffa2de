/**
 * Runs one benchmark case in its own process (so each contender has a fresh heap and its own
 * environment, e.g. UV_USE_IO_URING=1) and prints one `RESULT {json}` line.
 * Usage: node dist/run-case.js '<CaseSpec as JSON>'
 */
import { Bench } from 'tinybench';
import { ReadDigest } from './checksum.js';
import { dropCache } from './cache.js';
import { contenders } from './contenders.js';
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

async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const contender = contenders().find((c) => c.name === spec.contender);
  if (contender === undefined) throw new Error(`unknown contender ${spec.contender}`);
  const expected = referenceDigest(spec);
  const session = await contender.open(spec.file, spec.inFlight);
  try {
    const check = new ReadDigest();
    await session.run(positions(spec, spec.reads, 0), spec.size, check);
    const verified = check.value === expected;

    let iteration = 1;
    let plan = positions(spec, spec.reads, iteration);
    const cold = spec.cache === 'cold';
    // Cold: the pages were dropped once before measuring; a bounded number of iterations keeps
    // the window short enough that few reads hit pages an earlier read brought in.
    const bench = new Bench(cold ? { iterations: 8, time: 0, warmupIterations: 0, warmupTime: 0 } : { time: spec.time, warmupTime: Math.min(300, spec.time / 4) });
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

const spec = JSON.parse(process.argv[2] ?? '{}') as CaseSpec;
runCase(spec).then(
  (result) => console.log(`RESULT ${JSON.stringify(result)}`),
  (error: unknown) => {
    const failed: CaseResult = { spec, verified: false, readsPerSecond: 0, mibPerSecond: 0, rme: 0, samples: 0, error: String((error as Error).stack ?? error) };
    console.log(`RESULT ${JSON.stringify(failed)}`);
  },
);
