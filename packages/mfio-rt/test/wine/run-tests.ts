/**
 * Entry of the bundle scripts/test-wine.mjs runs under Wine: the mini jest globals, then the
 * same test files jest runs on Linux (the suite of @mfio/rt-conformance, the native backends on
 * Node's loop, runtime close), then the run. Exits with 1 on any failure.
 */
import { install, run } from './mini-jest.js';

install({ timeout: Number(process.env.MFIO_TEST_TIMEOUT ?? 120_000) });

async function main(): Promise<void> {
  await import('../conformance.test.js');
  await import('../native-loop.test.js');
  await import('../native-rt.test.js');
  const failed = await run();
  // Handles a failed case left open must not keep the process alive past its report.
  process.exit(failed > 0 ? 1 : 0);
}

process.on('unhandledRejection', (reason) => {
  console.log(`unhandled rejection (reported, not fatal, as under jest): ${String((reason as Error)?.stack ?? reason)}`);
});

void main();
