#!/usr/bin/env node
// `pnpm stress`: the lifecycle, abort and close cases, many times in a row, on every backend that
// starts here (io_uring, the thread pool, libuv) and on netfs over each, with CPU-bound processes
// running beside them (a loaded machine is where close/abort races and tight limits show), then
// the io_uring ones under AddressSanitizer. Fails if any run of any case fails.
//
//   pnpm stress [--runs 50] [--hogs 2] [--no-asan] [--only rt|netfs|asan]
//
// Each case is registered --runs times in one jest process (MFIO_TEST_REPEAT), so the figure is
// runs of the case, not runs of jest. The hogs are this script's children, killed by pid at exit.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    hogs: { type: 'string', default: '2' },
    'no-asan': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const runs = Number(values.runs);
const hogCount = Number(values.hogs);
if (!(runs >= 1) || !(hogCount >= 0)) {
  console.error('stress: --runs must be >= 1 and --hogs >= 0');
  process.exit(2);
}

// The cases: everything about closing, aborting, cancelling and resetting (names in
// packages/mfio-rt-conformance/src/*-cases.ts), and the deterministic reset race.
const CASES = 'abort|close|releas|cancel|reset|destroy|shut';

const hogs = Array.from({ length: hogCount }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopHogs = () => {
  for (const hog of hogs) if (hog.exitCode === null) process.kill(hog.pid, 'SIGKILL');
};
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const jestIn = (pkg) => join(root, 'packages', pkg, 'node_modules', 'jest', 'bin', 'jest.js');
// Small large files: the repeated cases need one, and writing 4 x 64 MiB per backend would be
// most of the run on a loaded machine (the same sizes as netfs's suite).
const env = {
  ...process.env,
  MFIO_TEST_REPEAT: String(runs),
  MFIO_TEST_LARGE_MB: process.env.MFIO_TEST_LARGE_MB ?? '4',
  MFIO_TEST_LARGE_FILES: process.env.MFIO_TEST_LARGE_FILES ?? '2',
};
const steps = [
  {
    name: 'rt',
    cwd: join(root, 'packages', 'mfio-rt'),
    args: [jestIn('mfio-rt'), '--runInBand', 'test/conformance.test.ts', 'test/reset-race.test.ts', '-t', CASES],
  },
  {
    name: 'netfs',
    cwd: join(root, 'packages', 'mfio-netfs'),
    args: [jestIn('mfio-netfs'), '--runInBand', 'test/conformance.test.ts', '-t', CASES],
  },
  {
    name: 'asan',
    cwd: join(root, 'packages', 'mfio-rt'),
    args: ['scripts/test-asan.mjs', '--', 'test/conformance.test.ts', 'test/reset-race.test.ts', '-t', CASES],
  },
].filter((step) => (values.only === undefined ? !(step.name === 'asan' && values['no-asan']) : step.name === values.only));

const results = [];
for (const step of steps) {
  const started = Date.now();
  console.log(`\nstress: ${step.name}, each case ${runs} times, ${hogCount} CPU-bound processes beside it`);
  const child = spawnSync(process.execPath, step.args, { cwd: step.cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${child.stdout}${child.stderr}`;
  // Failures in full; the totals line either way.
  for (const block of output.split(/\n(?= {2}● )/).filter((b) => b.startsWith('  ● '))) console.log(block.trimEnd());
  const totals = /Tests:\s+(.*)/.exec(output)?.[1] ?? '(no jest summary)';
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`stress: ${step.name}: ${totals} in ${seconds} s (exit ${child.status})`);
  if (step.name === 'asan') console.log(output.split('\n').find((l) => l.startsWith('test:asan:')) ?? '');
  results.push({ step: step.name, status: child.status, totals, seconds });
}
stopHogs();
console.log('\nstress summary');
for (const r of results) console.log(`  ${r.step}: ${r.totals}, ${r.seconds} s${r.status === 0 ? '' : ` FAILED (exit ${r.status})`}`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
