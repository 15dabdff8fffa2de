#!/usr/bin/env node
// `pnpm -F @mfio/rt test:hosts`: the same test files jest runs on Node (the conformance suite,
// native-loop.test.ts, native-rt.test.ts), under Bun and under Deno, at the versions
// scripts/install-hosts.mjs pins (installed from the npm registry into .hosts/, kept between
// runs). jest does not run there (it needs Node's own module loader and vm contexts), so, as
// for Wine, the files are bundled with esbuild beside the small runner of the jest calls they
// use (test/wine/). Each host runs every backend that starts there (io_uring, the thread pool and
// libuv on Linux); a backend that cannot start shows as a skipped case with the reason.
//
// Bounded: each host's run is killed after MFIO_HOSTS_TIMEOUT seconds (default 600), exit code
// 124. `--host bun` or `--host deno` runs one; other arguments go to the runner (`-t <regex>`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bundleSuite } from './bundle-suite.mjs';
import { hostCommand } from './host-command.cjs';
import { packageRoot } from './package-root.mjs';

const timeoutSeconds = Number(process.env.MFIO_HOSTS_TIMEOUT ?? 600);
const started = Date.now();

const args = process.argv.slice(2);
const hostAt = args.indexOf('--host');
const hosts = hostAt >= 0 ? [args.splice(hostAt, 2)[1]] : ['bun', 'deno'];
for (const host of hosts) if (host !== 'bun' && host !== 'deno') finish(2, `unknown host '${host}' (bun or deno)`);

const install = spawnSync(process.execPath, [join(packageRoot, 'scripts', 'install-hosts.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (install.status !== 0) finish(install.status ?? 1, `scripts/install-hosts.mjs failed:\n${install.stdout}`);
const binaries = JSON.parse(install.stdout.trim().split('\n').pop());

const bundle = await bundleSuite(join(packageRoot, '.hosts', 'suite', 'tests.cjs'));

let status = 0;
for (const host of hosts) {
  console.log(`\ntest:hosts: ${host} (${binaries[host]})`);
  const { argv, env } = hostCommand(host, binaries[host], [bundle, ...args]);
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: packageRoot,
    env,
    stdio: 'inherit',
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  });
  const code = result.error?.code === 'ETIMEDOUT' ? 124 : (result.status ?? 1);
  console.log(`test:hosts: ${host} exit ${code}${code === 124 ? ` (no result after ${timeoutSeconds} s)` : ''}`);
  if (status === 0) status = code;
}
finish(status, 'done');

function finish(code, what) {
  console.log(`test:hosts: ${what}; exit ${code} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(code);
}
