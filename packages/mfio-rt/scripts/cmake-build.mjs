// Configure and build the addon with plain CMake (no cmake-js), the way every prebuilt binary is
// made: Node-API from the node-api-headers package (its def/node_api.def for a Windows import
// library), node-addon-api's headers, and a toolchain file for a cross-build. Two jobs at most:
// the machines this runs on have two cores and other work.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from './package-root.mjs';
import { run } from './system-tools.mjs';

const require = createRequire(join(packageRoot, 'package.json'));

/**
 * Build into `buildDir`; the addon is `<buildDir>/Release/mfio_rt.node`.
 * @param {{ buildDir: string, toolchain?: string, defines?: Record<string, string> }} options
 */
export function cmakeBuild({ buildDir, toolchain, defines = {} }) {
  const headers = dirname(require.resolve('node-api-headers/package.json'));
  const out = join(buildDir, 'Release');
  const all = {
    ...(toolchain === undefined ? {} : { CMAKE_TOOLCHAIN_FILE: join(packageRoot, 'cmake', toolchain) }),
    CMAKE_BUILD_TYPE: 'Release',
    CMAKE_JS_INC: join(headers, 'include'),
    NODE_API_DEF: join(headers, 'def', 'node_api.def'),
    CMAKE_RUNTIME_OUTPUT_DIRECTORY: out,
    CMAKE_LIBRARY_OUTPUT_DIRECTORY: out,
    ...defines,
  };
  run('cmake', [
    '-S',
    packageRoot,
    '-B',
    buildDir,
    ...Object.entries(all).map(([key, value]) => `-D${key}=${value}`),
    '--no-warn-unused-cli',
    '--log-level=WARNING',
  ]);
  run('cmake', ['--build', buildDir, '--parallel', '2']);
  return join(out, 'mfio_rt.node');
}
