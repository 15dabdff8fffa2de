/**
 * Entry of the bundle scripts/test-wine.mjs runs under Wine: the mini jest globals, then the
 * same test files jest runs on Linux (the suite of @mfio/rt-conformance, the native backends on
 * Node's loop, runtime close), then the run. Exits with 1 on any failure.
 */
import { install, run } from './mini-jest.js';

/** `-t <regex>` (the arguments after test:wine's own): only the cases whose full name matches, as jest's. */
function filterArg(args: string[]): RegExp | undefined {
  const at = args.findIndex((arg) => arg === '-t' || arg === '--testNamePattern');
  if (at < 0) return undefined;
  const pattern = args[at + 1];
  if (pattern === undefined) throw new Error(`${args[at]} needs a pattern`);
  return new RegExp(pattern);
}

install({ timeout: Number(process.env.MFIO_TEST_TIMEOUT ?? 120_000), filter: filterArg(process.argv.slice(2)) });

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
