#!/usr/bin/env node
// `pnpm -F @mfio/rt prebuild [target...]`: builds the addon of every platform package (or the
// ones named: linux-x64-gnu, linux-arm64-gnu, win32-x64) from Linux, one after the other, into
// npm/<target>/mfio_rt.node: x64 with the host's g++, arm64 with Debian's g++-aarch64-linux-gnu,
// win32 with mingw-w64. The Linux binaries link the C++ runtime statically; for each, the glibc
// symbol versions it needs (objdump -T) are printed, the newest first: docs/prebuilt-binaries.md
// keeps them. Installs a missing toolchain with apt-get (as root).
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cmakeBuild } from './cmake-build.mjs';
import { glibcVersions } from './glibc-versions.mjs';
import { packageRoot } from './package-root.mjs';
import { TARGETS, binaryOf } from './targets.mjs';
import { ensureTools } from './system-tools.mjs';

const ids = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(TARGETS);
for (const id of ids) {
  const target = TARGETS[id];
  if (target === undefined) {
    console.error(`prebuild: unknown target '${id}'; expected one of ${Object.keys(TARGETS).join(', ')}`);
    process.exit(1);
  }
  if (target.host && (target.host.platform !== process.platform || target.host.arch !== process.arch)) {
    console.error(`prebuild: ${id} is built with the host's own compiler, on ${target.host.platform}-${target.host.arch} only`);
    process.exit(1);
  }
}

for (const id of ids) {
  const started = Date.now();
  const target = TARGETS[id];
  ensureTools(target.tools, `prebuild ${id}`);
  const built = cmakeBuild({ buildDir: join(packageRoot, 'build-prebuild', id), toolchain: target.toolchain, defines: target.defines });
  const binary = binaryOf(id);
  // A new file, not an overwrite: a process that has the old one loaded keeps its mapping.
  rmSync(binary, { force: true });
  copyFileSync(built, binary);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const glibc = id.startsWith('linux-') ? `; needs ${glibcVersions(binary).join(', ') || 'no versioned glibc symbol'}` : '';
  console.log(`prebuild: ${binary} (${seconds} s)${glibc}`);
}
