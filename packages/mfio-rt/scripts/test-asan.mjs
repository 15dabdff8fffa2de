#!/usr/bin/env node
// `pnpm --filter @mfio/rt test:asan`: the native boundary under AddressSanitizer + LeakSanitizer.
// Builds the addon with -fsanitize=address into build-asan/, runs the io_uring conformance suite
// (twice: completions through libuv, then through a thread-safe function, MFIO_DELIVERY=tsfn)
// and the loop, command-layout, fadvise, read-arena and fixed-files tests against it with libasan
// preloaded into Node (Node itself is not instrumented), then reads the sanitizer logs. Fails on
// any ASan error, and on any leak whose allocation stack passes through the addon; leaks wholly
// inside Node are listed, not judged.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, options = {}) => spawnSync(cmd, args, { cwd: packageRoot, stdio: 'inherit', ...options });

const built = run(process.execPath, ['scripts/build-native.mjs', '--', '--CDMFIO_SANITIZE=address', '-O', 'build-asan']);
if (built.status !== 0) process.exit(built.status ?? 1);

const libasan = spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout.trim();
if (!libasan.startsWith('/')) {
  console.error('test:asan: libasan.so not found (it comes with gcc/g++)');
  process.exit(1);
}
const logs = mkdtempSync(join(tmpdir(), 'mfio-asan-'));
const jest = createRequire(join(packageRoot, 'package.json')).resolve('jest/bin/jest');
// Arguments after `--` go to jest (the stress run picks cases with -t); by default the whole suite.
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];
// commands and fadvise send malformed and unsupported commands straight to both executors' decoder;
// read-arena hands out external Buffers and takes them back from finalizers, through worker and
// process teardown; fixed-files registers and drops files in the ring's table; read-allocator
// reads into library-allocated (slab and arena) buffers; socket-file-splice moves file pages
// through the splice pipe and reads its leftovers into new Buffers.
const files =
  extra.length > 0
    ? []
    : [
        'test/conformance.test.ts',
        'test/native-loop.test.ts',
        'test/commands.test.ts',
        'test/fadvise.test.ts',
        'test/read-arena.test.ts',
        'test/fixed-files.test.ts',
        'test/read-allocator.test.ts',
        'test/socket-file-splice.test.ts',
      ];
const asanEnv = {
  ...process.env,
  MFIO_ADDON: join(packageRoot, 'build-asan', 'Release', 'mfio_rt.node'),
  MFIO_FS_BACKENDS: 'io_uring',
  MFIO_TEST_LARGE_MB: process.env.MFIO_TEST_LARGE_MB ?? '8',
  LD_PRELOAD: libasan,
  ASAN_OPTIONS: `detect_leaks=1:log_path=${join(logs, 'asan')}:allocator_may_return_null=1`,
  // Leaks are judged below from the logs (Node's own are not ours); LeakSanitizer's default
  // exit code would fail every run on those.
  LSAN_OPTIONS: 'exitcode=0',
};
const tests = run(process.execPath, [jest, '--runInBand', ...files, ...extra], { env: asanEnv });
// The same ring with its completions woken through a thread-safe function (the eventfd, the
// waiter thread and the function's release at close and at a worker's teardown), as on Bun and
// Deno, and the thread pool's workers waking JS the same way: the suite and the loop tests again.
const tsfnFiles = ['test/conformance.test.ts', 'test/native-loop.test.ts'];
const tsfnEnv = { ...asanEnv, MFIO_DELIVERY: 'tsfn', MFIO_FS_BACKENDS: 'io_uring,threadpool' };
const tsfn = extra.length > 0 ? tests : run(process.execPath, [jest, '--runInBand', ...tsfnFiles], { env: tsfnEnv });

let errors = 0;
let ours = 0;
let theirs = 0;
for (const name of readdirSync(logs)) {
  const text = readFileSync(join(logs, name), 'utf8');
  for (const block of text.split(/\n(?=Direct leak|Indirect leak|==\d+==ERROR)/)) {
    if (/==\d+==ERROR: AddressSanitizer/.test(block)) {
      errors++;
      console.error(block);
    } else if (/^(Direct|Indirect) leak/.test(block)) {
      if (block.includes('mfio_rt.node') || block.includes('src/native/')) {
        ours++;
        console.error(block);
      } else {
        theirs++;
      }
    }
  }
}
rmSync(logs, { recursive: true, force: true });
console.log(`test:asan: ${errors} AddressSanitizer errors, ${ours} leaks through the addon, ${theirs} leaks inside Node alone (not ours)`);
process.exit(tests.status !== 0 || tsfn.status !== 0 || errors > 0 || ours > 0 ? 1 : 0);
