// Bun and Deno for test/foreign-hosts.test.ts, from the npm registry, at pinned versions, into
// .hosts/ (gitignored; kept between runs). `node scripts/install-hosts.mjs` prints
// {"bun": path, "deno": path} as its last line, or exits 1 saying why.
//
// The `bun` and `deno` packages bring their binary in a platform package among their
// optionalDependencies (@oven/bun-linux-x64, @deno/linux-x64-glibc); their postinstall scripts
// only move or hard-link it (Bun's falls back to `npm install` or the registry's tarball, never
// GitHub). The platform packages are installed here directly, with --ignore-scripts: the same
// binary, and no install script or npm-inside-npm to go wrong.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUN_VERSION = '1.4.5';
export const DENO_VERSION = '2.9.6';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const hostsDir = join(packageRoot, '.hosts');
const INSTALL_TIMEOUT_MS = 240_000;

/** The platform packages of each host, and where each keeps its binary. */
function platformPackages() {
  const key = `${process.platform}-${process.arch}`;
  if (key !== 'linux-x64' && key !== 'linux-arm64') fail(`no pinned Bun/Deno packages for ${key} (only linux-x64, linux-arm64)`);
  if (process.report?.getReport?.().header?.glibcVersionRuntime === undefined) fail('Deno publishes no musl build on npm; this needs glibc');
  const arm = process.arch === 'arm64';
  // Bun's default x64 build needs AVX2; the baseline build runs on any x86-64.
  const avx2 = arm || /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  return {
    bun: { name: `@oven/bun-linux-${arm ? 'aarch64' : 'x64'}${avx2 ? '' : '-baseline'}`, version: BUN_VERSION, binary: 'bin/bun' },
    deno: { name: `@deno/linux-${arm ? 'arm64' : 'x64'}-glibc`, version: DENO_VERSION, binary: 'deno' },
  };
}

/** `.hosts/<name>@<version>`: a new pin installs beside the old one, never over it. */
function installedDir(pkg) {
  return join(hostsDir, `${pkg.name.replace('/', '+')}@${pkg.version}`);
}

function install(missing) {
  // npm installs into a staging prefix of this process, then each package moves into place in
  // one rename: a run killed midway, or two runs at once, never leave a half-installed host.
  const staging = join(hostsDir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const specs = missing.map((pkg) => `${pkg.name}@${pkg.version}`);
    const args = [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...specs,
    ];
    console.log(`install-hosts: npm ${args.join(' ')}`);
    const npm = spawnSync('npm', args, { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, killSignal: 'SIGKILL' });
    if (npm.error || npm.status !== 0) {
      const why = npm.error ? String(npm.error.message) : `exit ${npm.status ?? npm.signal}`;
      fail(`npm install ${specs.join(' ')} failed (${why}):\n${npm.stdout}${npm.stderr}`);
    }
    for (const pkg of missing) {
      try {
        renameSync(join(staging, 'node_modules', pkg.name), installedDir(pkg));
      } catch (error) {
        // Another run put it in place first: use theirs.
        if (!existsSync(join(installedDir(pkg), pkg.binary))) throw error;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The binary must run and say it is the pinned version. */
function check(label, path, version) {
  const out = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' } });
  if (out.error || out.status !== 0 || !out.stdout.includes(version)) {
    fail(`${path} --version did not report ${label} ${version}: ${out.error?.message ?? `${out.stdout}${out.stderr}`}`);
  }
}

function fail(message) {
  console.error(`install-hosts: ${message}`);
  process.exit(1);
}

const packages = platformPackages();
const missing = Object.values(packages).filter((pkg) => !existsSync(join(installedDir(pkg), pkg.binary)));
if (missing.length > 0) install(missing);
const paths = {};
for (const [label, pkg] of Object.entries(packages)) {
  paths[label] = join(installedDir(pkg), pkg.binary);
  check(label, paths[label], pkg.version);
}
console.log(JSON.stringify(paths));
