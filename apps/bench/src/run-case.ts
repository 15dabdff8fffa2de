/**
 * Runs one benchmark case in its own process (so each contender has a fresh heap and its own
 * environment, e.g. UV_USE_IO_URING=1) and prints one `RESULT {json}` line.
 * Usage: node dist/run-case.js '<CaseSpec as JSON>'
 */
import { contenders } from './contenders.js';
import { measure, printResult, type CaseResult } from './measure.js';
import type { CaseSpec } from './plan.js';

async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const contender = contenders().find((c) => c.name === spec.contender);
  if (contender === undefined) throw new Error(`unknown contender ${spec.contender}`);
  const session = await contender.open(spec.file, spec.inFlight);
  try {
    return await measure(spec, session);
  } finally {
    await session.close();
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as CaseSpec;
printResult(spec, runCase(spec));
