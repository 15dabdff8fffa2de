#!/usr/bin/env node
// Cross-builds the native addon for win32-x64 on Linux (`pnpm -F @mfio/rt build:win32`):
// Debian's mingw-w64 g++ against the node-api-headers package, Node-API imported from node.exe
// through an import library dlltool makes from that package's def/node_api.def. The result is
// build-win32/Release/mfio_rt.node, which the loader picks on Windows (src/native/addon.ts).
// Installs g++-mingw-w64-x86-64 with apt-get when it is missing and we are root.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTools, run } from './win32-tools.mjs';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(packageRoot, 'build-win32');
const require = createRequire(join(packageRoot, 'package.json'));
const headers = dirname(require.resolve('node-api-headers/package.json'));

ensureTools(
  {
    'x86_64-w64-mingw32-g++-posix': 'g++-mingw-w64-x86-64',
    'x86_64-w64-mingw32-dlltool': 'binutils-mingw-w64-x86-64',
    cmake: 'cmake',
  },
  'build:win32',
);

const started = Date.now();
run('cmake', [
  '-S',
  packageRoot,
  '-B',
  buildDir,
  `-DCMAKE_TOOLCHAIN_FILE=${join(packageRoot, 'cmake', 'mingw-w64-x86_64.cmake')}`,
  '-DCMAKE_BUILD_TYPE=Release',
  `-DCMAKE_JS_INC=${join(headers, 'include')}`,
  `-DNODE_API_DEF=${join(headers, 'def', 'node_api.def')}`,
  `-DCMAKE_RUNTIME_OUTPUT_DIRECTORY=${join(buildDir, 'Release')}`,
  `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${join(buildDir, 'Release')}`,
  '--log-level=WARNING',
]);
run('cmake', ['--build', buildDir, '--parallel', '2']);
console.log(`build:win32: ${join(buildDir, 'Release', 'mfio_rt.node')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
