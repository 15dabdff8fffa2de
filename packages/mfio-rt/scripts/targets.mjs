// The prebuilt targets: one platform package each (npm/<id>/, whose package.json holds its os,
// cpu and libc under publishConfig, lifted to the top when packed), and how Linux builds it. Shared by prebuild.mjs and the tests that load them.
import { join } from 'node:path';
import { packageRoot } from './package-root.mjs';

/**
 * `toolchain`: the CMake toolchain file of a cross-build (none for the host's own); `tools`:
 * { command: Debian package } it needs; `defines`: extra -D options.
 */
export const TARGETS = {
  'linux-x64-gnu': {
    host: { platform: 'linux', arch: 'x64' },
    tools: { 'g++': 'g++', cmake: 'cmake', objdump: 'binutils' },
    defines: { MFIO_STATIC_RUNTIME: 'ON' },
  },
  'linux-arm64-gnu': {
    toolchain: 'aarch64-linux-gnu.cmake',
    tools: { 'aarch64-linux-gnu-g++': 'g++-aarch64-linux-gnu', cmake: 'cmake', 'aarch64-linux-gnu-objdump': 'binutils-aarch64-linux-gnu' },
    defines: { MFIO_STATIC_RUNTIME: 'ON' },
  },
  'win32-x64': {
    toolchain: 'mingw-w64-x86_64.cmake',
    tools: { 'x86_64-w64-mingw32-g++-posix': 'g++-mingw-w64-x86-64', 'x86_64-w64-mingw32-dlltool': 'binutils-mingw-w64-x86-64', cmake: 'cmake' },
    defines: {},
  },
};

/** npm/<id>/: the platform package's folder. */
export function packageDir(id) {
  return join(packageRoot, 'npm', id);
}

/** The prebuilt binary of a target, where the loader finds it once its package is installed. */
export function binaryOf(id) {
  return join(packageDir(id), 'mfio_rt.node');
}
