#!/usr/bin/env node
// Builds the native addon from source into build/Release/mfio_rt.node, which the loader tries
// before the prebuilt platform package (src/native/addon.ts). Nothing runs this on install: in
// this workspace `pnpm build` does; in a project that installed @mfio/rt, a user who wants their
// own build runs `node node_modules/@mfio/rt/scripts/build-native.mjs` (or the absolute path the
// loader's error prints) after adding the build tools to that project:
// cmake-js, node-addon-api and node-api-headers (npm packages), cmake and a C++17 compiler.
// Extra arguments go to cmake-js, e.g. `-- --CDMFIO_SANITIZE=address -O build-asan`.
// MFIO_SKIP_NATIVE=1 skips the build (a workspace build on a machine with no compiler).
// package.json's `binary.napi_versions` tells cmake-js this is a Node-API addon: it then takes the
// headers from node-api-headers; without it, cmake-js downloads Node's full headers first.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];
const TOOLS = ['cmake-js', 'node-addon-api', 'node-api-headers'];

if (process.env.MFIO_SKIP_NATIVE === '1') {
  console.log('@mfio/rt: MFIO_SKIP_NATIVE=1, not building the native addon');
  process.exit(0);
}

// The build tools are this package's devDependencies: in the workspace they resolve from here;
// installed, from the user's project (the current directory), where they added them.
const resolvers = [createRequire(join(packageRoot, 'package.json')), createRequire(join(process.cwd(), 'package.json'))];
const missing = TOOLS.filter((name) => !resolvers.some((r) => resolvesTo(r, `${name}/package.json`)));
if (missing.length > 0) {
  fail(
    `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed. Add the build tools to your project, then run this again ` +
      `from its folder: \`npm install --save-dev ${TOOLS.join(' ')}\` (pnpm: \`pnpm add -D ${TOOLS.join(' ')}\`; yarn: \`yarn add -D ${TOOLS.join(' ')}\`)`,
  );
}
const cmakeJs = resolvers.map((r) => resolvesTo(r, 'cmake-js/bin/cmake-js')).find((path) => path !== undefined);
const result = spawnSync(process.execPath, [cmakeJs, 'compile', '--log-level', 'warn', ...extra], {
  cwd: packageRoot,
  stdio: 'inherit',
  // CMakeLists.txt asks `node` for node-addon-api's headers: from here, or from the project.
  env: { ...process.env, NODE_PATH: [join(process.cwd(), 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(':') },
});
if (result.status !== 0) {
  fail(
    `${result.error ? result.error.message : `cmake-js exited with ${result.status ?? result.signal}`}; it needs cmake and a C++17 compiler (Debian/Ubuntu: apt-get install cmake g++)`,
  );
}

function resolvesTo(require, request) {
  try {
    return require.resolve(request);
  } catch {
    return undefined;
  }
}

function fail(reason) {
  console.error(`@mfio/rt: the native addon was not built: ${reason}`);
  process.exit(1);
}
