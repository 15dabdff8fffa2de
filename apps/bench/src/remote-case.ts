/**
 * Runs one remote case (netfs or HTTP, straight to the server or through the delay proxy) in
 * its own process, like run-case.ts, and prints one `RESULT {json}` line.
 * Usage: node dist/remote-case.js '<RemoteCaseSpec as JSON>'
 */
import { measure, printResult, type CaseResult } from './measure.js';
import type { CaseSpec } from './plan.js';
import { remoteContender, type Target } from './remote-contenders.js';

/** A case read from a server on this machine. */
export interface RemoteCaseSpec extends CaseSpec {
  target: Target;
  /** Milliseconds the delay proxy adds each way (0: no proxy). */
  delayMs: number;
}

async function runCase(spec: RemoteCaseSpec): Promise<CaseResult> {
  const contender = remoteContender(spec.contender);
  if (contender === undefined) throw new Error(`unknown remote contender ${spec.contender}`);
  const session = await contender.open(spec.target, spec.inFlight, spec.reads, spec.size);
  try {
    // A remote iteration is slow (round trips, or a whole delay each): a few iterations within
    // the case's time, not tinybench's default 64, keep a case from taking minutes.
    return await measure(spec, session, { iterations: 4, warmupIterations: 1 });
  } finally {
    await session.close();
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as RemoteCaseSpec;
printResult(spec, runCase(spec));
