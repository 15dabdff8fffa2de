#!/usr/bin/env node
// `node scripts/pack-platform.mjs <target> <destination>`: the platform package of <target>
// (linux-x64-gnu, ...) as a user's npm gets it: its addon built by prebuild.mjs (make rebuilds
// only what changed), then `pnpm pack` into <destination>. Both under one exclusive lock per
// target (flock(1), util-linux; released if this process dies): @mfio/rt's packaging test and
// @mfio/adapters' consumer test run at the same time under `pnpm test`, and two builds in one
// build directory, or a pack while prebuild replaces the binary, would break each other.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './package-root.mjs';
import { run } from './system-tools.mjs';
import { TARGETS, packageDir } from './targets.mjs';

const LOCKED = 'MFIO_PACK_PLATFORM_LOCKED';
// How long to wait for the other holder: a build from scratch takes about a minute here.
const LOCK_WAIT_SECONDS = 900;

const [id, destination] = process.argv.slice(2);
if (id === undefined || TARGETS[id] === undefined || destination === undefined) {
  console.error(`pack-platform: usage: pack-platform.mjs <${Object.keys(TARGETS).join('|')}> <destination>`);
  process.exit(1);
}

if (process.env[LOCKED] !== id) {
  // This script again, as the lock's holder.
  const lock = join(packageRoot, 'build-prebuild', `${id}.lock`);
  mkdirSync(join(packageRoot, 'build-prebuild'), { recursive: true });
  run('flock', ['--wait', String(LOCK_WAIT_SECONDS), lock, process.execPath, fileURLToPath(import.meta.url), id, destination], {
    env: { ...process.env, [LOCKED]: id },
    timeout: (LOCK_WAIT_SECONDS + 600) * 1000,
  });
} else {
  run(process.execPath, [join(packageRoot, 'scripts', 'prebuild.mjs'), id]);
  run('pnpm', ['pack', '--pack-destination', destination], { cwd: packageDir(id) });
}
