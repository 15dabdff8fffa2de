/**
 * Entry of the bundle scripts/test-wine.mjs runs under Wine and scripts/test-arm64.mjs under
 * qemu-user: the mini jest globals, then the same test files jest runs on Linux (the suite of
 * @mfio/rt-conformance, the native backends on Node's loop, runtime close), then the run. Exits
 * with 1 on any failure. MFIO_TEST_NO_SPAWN=1 leaves out the loop tests, which start child Node
 * processes: qemu-user runs only the one binary it was given.
 */
import { addonStatus } from '../../src/native/addon.js';
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
  // Which binary runs the suite: the runner scripts check that it is the platform package's.
  const status = addonStatus();
  console.log(`addon: ${status.loaded ? `${status.source} ${status.path} ${status.version}` : status.error.message}`);
  await import('../conformance.test.js');
  if (process.env.MFIO_TEST_NO_SPAWN !== '1') await import('../native-loop.test.js');
  await import('../native-rt.test.js');
  const failed = await run();
  // Handles a failed case left open must not keep the process alive past its report.
  process.exit(failed > 0 ? 1 : 0);
}

process.on('unhandledRejection', (reason) => {
  console.log(`unhandled rejection (reported, not fatal, as under jest): ${String((reason as Error)?.stack ?? reason)}`);
});

void main();
