#!/usr/bin/env node
// Builds the native addon (build/Release/mfio_rt.node) with cmake-js against node-api-headers, so
// nothing is downloaded. `--optional` (the install hook): a failed build is a warning, because
// the package still works on its libuv backend and its loader says what is missing and how to fix
// it. Without it (pnpm build, CI), a failed build fails. Extra arguments go to cmake-js, e.g.
// `-- --CDMFIO_SANITIZE=address -O build-asan` for the sanitizer build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const optional = process.argv.includes('--optional');
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];

if (process.env.MFIO_SKIP_NATIVE === '1') {
  console.log('@mfio/rt: MFIO_SKIP_NATIVE=1, not building the native addon');
  process.exit(0);
}

let cmakeJs;
try {
  cmakeJs = createRequire(join(packageRoot, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  fail('cmake-js is not installed');
}
const result = spawnSync(process.execPath, [cmakeJs, 'compile', '--log-level', 'warn', ...extra], {
  cwd: packageRoot,
  stdio: 'inherit',
});
if (result.status !== 0) fail(result.error ? result.error.message : `cmake-js exited with ${result.status ?? result.signal}`);

function fail(reason) {
  const message =
    `@mfio/rt: the native addon did not build (${reason}). It needs cmake and a C++17 compiler ` +
    '(e.g. `apt-get install cmake g++`); rebuild with `pnpm --filter @mfio/rt build:native`.';
  if (!optional) {
    console.error(message);
    process.exit(1);
  }
  console.warn(`${message} Until then only the libuv backend is available.`);
  process.exit(0);
}
