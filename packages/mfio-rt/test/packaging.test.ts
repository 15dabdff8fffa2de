import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../mfio');
const PLATFORMS = {
  'linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-arm64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'win32-x64': { os: ['win32'], cpu: ['x64'] },
} as const;
const tsc = require.resolve('typescript/bin/tsc', { paths: [packageDir] });
const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
// The platform package tested here is the one this machine can run.
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const COMPILERS = ['cmake', 'make', 'ninja', 'g++', 'gcc', 'cc', 'c++', 'clang', 'clang++'];
// A user's environment: without the NODE_PATH that pnpm's bin shims (jest's among them) export,
// through which the installed package would find the workspace's platform packages.
const { NODE_PATH: _workspacePath, ...userEnv } = process.env;

/**
 * `pnpm pack` of @mfio/core, @mfio/rt and its three platform packages, installed with npm from
 * those tarballs alone (`--offline`: @mfio/core has no dependencies) into fresh projects outside
 * the workspace, as a user would.
 */
(linuxX64 ? describe : describe.skip)('the published @mfio/rt package', () => {
  const work = mkdtempSync(join(tmpdir(), 'mfio-rt-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string =>
    execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, env: { ...userEnv, ...env } });
  const tarball = (prefix: string): string =>
    join(
      work,
      readdirSync(work).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'))!,
    );
  // Every compiler a build could call, as shims that log the call and fail, first on PATH.
  const shims = join(work, 'shims');
  const shimLog = join(work, 'compiler-calls.log');
  const noCompilerPath = [shims, dirname(process.execPath), '/usr/bin', '/bin'].join(':');

  beforeAll(() => {
    // The binary as the platform package ships it (make rebuilds only what changed), built and
    // packed under the lock that @mfio/adapters' consumer test takes too.
    run(process.execPath, [join(packageDir, 'scripts', 'pack-platform.mjs'), 'linux-x64-gnu', work], packageDir);
    for (const dir of [coreDir, packageDir]) run('pnpm', ['pack', '--pack-destination', work], dir);
    // The other platforms' packages as built by `prebuild` (test:wine and test:arm64 build them
    // too); where that has not run, a copy of the package with a stand-in binary: npm never
    // unpacks either on this machine, and the manifest is what is tested.
    for (const id of ['linux-arm64-gnu', 'win32-x64']) {
      let dir = join(packageDir, 'npm', id);
      if (!existsSync(join(dir, 'mfio_rt.node'))) {
        const copy = join(work, 'stand-in', id);
        mkdirSync(copy, { recursive: true });
        copyFileSync(join(dir, 'package.json'), join(copy, 'package.json'));
        writeFileSync(join(copy, 'mfio_rt.node'), 'stand-in');
        dir = copy;
      }
      run('pnpm', ['pack', '--pack-destination', work], dir);
    }
    mkdirSync(shims);
    for (const name of COMPILERS) {
      writeFileSync(join(shims, name), `#!/bin/sh\necho "${name} $*" >> '${shimLog}'\nexit 1\n`);
      chmodSync(join(shims, name), 0o755);
    }
  });

  /**
   * A fresh ESM project with @mfio/core and @mfio/rt npm-installed from their tarballs, compilers
   * shimmed. The platform packages come as a user's would: npm picks the one for this machine
   * from @mfio/rt's optionalDependencies, by its os, cpu and libc; `overrides` only make the
   * three tarballs stand in for the registry.
   */
  function project(name: string, npmArgs: string[] = []): string {
    const dir = join(work, name);
    mkdirSync(dir);
    const overrides = Object.fromEntries(Object.keys(PLATFORMS).map((id) => [`@mfio/rt-${id}`, `file:${tarball(`mfio-rt-${id}-`)}`]));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', overrides }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...npmArgs, tarball('mfio-core-'), tarball('mfio-rt-0')], dir, { PATH: noCompilerPath });
    writeFileSync(join(dir, 'data.txt'), 'installed');
    copyFileSync(join(packageDir, 'test', 'fixtures', 'installed-main.mjs'), join(dir, 'main.js'));
    return dir;
  }
  const main = (dir: string): { stdout: string; stderr: string } => {
    const out = spawnSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...userEnv, PATH: noCompilerPath } });
    if (out.status !== 0) throw new Error(`main.js exited with ${out.status ?? out.signal}:\n${out.stdout}${out.stderr}`);
    return out;
  };

  let installed: string | undefined;
  const projectWithBinary = (): string => (installed ??= project('with-binary'));

  test('npm installs the prebuilt binary with no compiler on PATH, and a file is read on io_uring', () => {
    const { stdout, stderr } = main(projectWithBinary());
    const binary = join(projectWithBinary(), 'node_modules', '@mfio', 'rt-linux-x64-gnu', 'mfio_rt.node');
    expect(stdout).toContain(`addon: platform package ${binary} ${version}`);
    expect(stdout).toMatch(/^io_uring: ok$/m);
    expect(stdout).toMatch(/^built io_uring: installed$/m);
    expect(stdout).toMatch(/^diagnostics: loaded$/m);
    expect(stderr).not.toContain('MFIO_BACKEND_FALLBACK');
    expect(() => readFileSync(shimLog, 'utf8')).toThrow(); // no compiler was called, not even once
    // Only this machine's platform package, chosen by npm.
    expect(readdirSync(join(projectWithBinary(), 'node_modules', '@mfio')).sort()).toEqual(['core', 'rt', 'rt-linux-x64-gnu']);
  });

  test('the tarballs carry no scripts, build tools, tests or build files', () => {
    const list = (file: string): string[] =>
      run('tar', ['tzf', file], work)
        .split(/\r?\n/)
        .filter((f) => f !== '');
    const rt = list(tarball('mfio-rt-0'));
    expect(rt.filter((f) => !/^package\/(dist|src)\//.test(f)).sort()).toEqual(
      ['package/CMakeLists.txt', 'package/README.md', 'package/package.json', 'package/scripts/build-native.mjs'].sort(),
    );
    expect(rt.filter((f) => /conformance|\.test\.|jest|\.node$/i.test(f))).toEqual([]);
    expect(list(tarball('mfio-rt-linux-x64-gnu-')).sort()).toEqual(['package/mfio_rt.node', 'package/package.json']);

    const manifest = (file: string): Record<string, unknown> => JSON.parse(run('tar', ['xzOf', file, 'package/package.json'], work)) as Record<string, unknown>;
    const rtPkg = manifest(tarball('mfio-rt-0'));
    expect(rtPkg.scripts).toBeUndefined();
    expect(rtPkg.devDependencies).toBeUndefined();
    expect(rtPkg.dependencies).toEqual({ '@mfio/core': version });
    expect(rtPkg.optionalDependencies).toEqual({
      '@mfio/rt-linux-arm64-gnu': version,
      '@mfio/rt-linux-x64-gnu': version,
      '@mfio/rt-win32-x64': version,
    });
    // What makes cmake-js take node-api-headers instead of downloading Node's headers, for a
    // user's build from source (scripts/build-native.mjs).
    expect(rtPkg.binary).toEqual({ napi_versions: [8] });
    expect(rtPkg.exports).toEqual({ '.': expect.anything(), './promises': expect.anything(), './package.json': './package.json' });
    // os, cpu and libc sit under publishConfig in the workspace (else every pnpm command there
    // warns "Unsupported platform" for the other two), and pnpm lifts them to the top when packing:
    // what npm, pnpm and yarn choose by.
    for (const [id, platform] of Object.entries(PLATFORMS)) {
      const platformPkg = manifest(tarball(`mfio-rt-${id}-`));
      expect(platformPkg).toMatchObject({ name: `@mfio/rt-${id}`, version, main: 'mfio_rt.node', ...platform });
      expect(platformPkg.libc).toEqual('libc' in platform ? platform.libc : undefined);
      expect(platformPkg.scripts).toBeUndefined();
    }
  });

  test('--omit=optional: one error lists every candidate and a fix that works; libuv runs; one warning', () => {
    const dir = project('omit-optional', ['--omit=optional']);
    const { stdout, stderr } = main(dir);
    const line = /^io_uring: (.*)$/m.exec(stdout)?.[1] ?? '';
    expect(line).toContain('could not be loaded, so only the libuv backend is available');
    expect(line).toMatch(/local build \S+build\/Release\/mfio_rt\.node: not found/);
    expect(line).toContain('platform package @mfio/rt-linux-x64-gnu: not installed');
    expect(line).toContain(`npm install --save-optional @mfio/rt-linux-x64-gnu@${version}`);
    expect(line).toContain(`pnpm add -O @mfio/rt-linux-x64-gnu@${version}`);
    expect(line).toContain(`yarn add --optional @mfio/rt-linux-x64-gnu@${version}`);
    expect(line).toContain('npm install --include=optional');
    expect(line).toContain(`node ${join(dir, 'node_modules', '@mfio', 'rt', 'scripts', 'build-native.mjs')}`);
    expect(line).not.toContain('pnpm --filter');
    expect(stdout).toMatch(/^addon: none$/m);
    expect(stdout).toMatch(/^built libuv: installed$/m);
    expect(stderr.match(/\[MFIO_BACKEND_FALLBACK\]/g)).toHaveLength(1);
    expect(stderr).toContain('runs on the libuv backend, not io_uring');

    // The fixes, with the tarballs standing in for the registry. First the reinstall with optional
    // dependencies: npm picks this machine's package again.
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--include=optional'], dir, { PATH: noCompilerPath });
    expect(readdirSync(join(dir, 'node_modules', '@mfio')).sort()).toEqual(['core', 'rt', 'rt-linux-x64-gnu']);
    expect(main(dir).stdout).toMatch(/^built io_uring: installed$/m);
    // Then the package by name: the project lists it as optional, so an install on another
    // platform still works. (npm refuses an override of a direct dependency: the project's
    // stand-in for the registry steps aside.)
    const before = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { overrides: Record<string, string> };
    delete before.overrides['@mfio/rt-linux-x64-gnu'];
    writeFileSync(join(dir, 'package.json'), JSON.stringify(before));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--save-optional', `file:${tarball('mfio-rt-linux-x64-gnu-')}`], dir, {
      PATH: noCompilerPath,
    });
    expect(main(dir).stdout).toMatch(/^built io_uring: installed$/m);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys(manifest.optionalDependencies ?? {})).toEqual(['@mfio/rt-linux-x64-gnu']);
    expect(manifest.dependencies?.['@mfio/rt-linux-x64-gnu']).toBeUndefined();
  });

  test('a binary of another @mfio/rt version is refused, with the fix', () => {
    const dir = project('other-version');
    const binary = join(dir, 'node_modules', '@mfio', 'rt-linux-x64-gnu', 'mfio_rt.node');
    const bytes = readFileSync(binary);
    const tag = Buffer.from(`@mfio/rt@${version}`);
    const at = bytes.indexOf(tag);
    expect(at).toBeGreaterThan(0);
    const other = `${version.startsWith('9') ? '8' : '9'}${version.slice(1)}`;
    bytes.write(other, at + '@mfio/rt@'.length, 'latin1');
    rmSync(binary);
    writeFileSync(binary, bytes);
    const { stdout } = main(dir);
    expect(stdout).toContain(`platform package ${binary}: was built for @mfio/rt ${other}; this is @mfio/rt ${version}`);
    expect(stdout).toContain(`install the binary of @mfio/rt ${version} with \`npm install --save-optional @mfio/rt-linux-x64-gnu@${version}\``);
    expect(stdout).toMatch(/^built libuv: installed$/m);
  });

  test('a binary that needs a newer glibc than the system has sends the user to build from source', () => {
    const dir = project('newer-glibc');
    const binary = join(dir, 'node_modules', '@mfio', 'rt-linux-x64-gnu', 'mfio_rt.node');
    // The newest version the binary asks of glibc, renamed to one no glibc has: the dynamic
    // loader refuses it as it would on a system older than the binary.
    const bytes = readFileSync(binary);
    const at = bytes.indexOf(Buffer.from('GLIBC_2.34\0'));
    expect(at).toBeGreaterThan(0);
    bytes.write('GLIBC_9.34', at, 'latin1');
    rmSync(binary);
    writeFileSync(binary, bytes);
    const { stdout } = main(dir);
    const line = /^io_uring: (.*)$/m.exec(stdout)?.[1] ?? '';
    expect(line).toMatch(/version `GLIBC_9\.34' not found/);
    expect(line).toContain("Fix: the prebuilt binary needs glibc 9.34 or later, newer than this system's: add the build tools");
    expect(line).not.toContain('npm install --save-optional'); // no reinstall can help
    expect(stdout).toMatch(/^built libuv: installed$/m);
  });

  // TypeScript 5.9's `await using`, compiled against the published declarations (Symbol.asyncDispose
  // typed by @types/node, no lib change, no polyfill) and run: each scope's end closes the handle.
  test('await using closes files, facade handles and runtimes, compiled against the declarations', () => {
    const dir = projectWithBinary();
    mkdirSync(join(dir, 'using'), { recursive: true });
    writeFileSync(
      join(dir, 'using', 'main.ts'),
      `import { writeFileSync } from 'node:fs';
       import { NativeRt, fs, open, type FileHandle } from '@mfio/rt';
       import { open as openLikeNode, type FileHandle as NodeLikeHandle } from '@mfio/rt/promises';
       writeFileSync('using.txt', 'disposed well');
       let file: FileHandle;
       {
         await using f = await open('using.txt');
         file = f;
         console.log('read', (await f.readAt(0, 8)).toString());
       }
       console.log('file closed', file.closed);
       let handle: NodeLikeHandle;
       {
         await using h = await openLikeNode('using.txt', 'r');
         handle = h;
         console.log('facade read', (await h.read(Buffer.alloc(4), 0, 4, 9)).bytesRead);
       }
       await handle.stat().catch((e: { code: string }) => console.log('facade after scope', e.code));
       let rt: NativeRt;
       {
         await using r = NativeRt.builder().build();
         rt = r;
       }
       await rt.open('using.txt').catch((e: { code: string }) => console.log('runtime after scope', e.code));
       {
         using cwd = fs.currentDir();
         console.log('dir', typeof cwd.path());
       }`,
    );
    writeFileSync(
      join(dir, 'using', 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2023'],
          strict: true,
          skipLibCheck: false,
          types: [],
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    run('node', [tsc, '-p', 'using/tsconfig.json', '--types', 'node', '--typeRoots', join(packageDir, 'node_modules/@types')], dir);
    const out = spawnSync(process.execPath, [join('using', 'out', 'main.js')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n').filter(Boolean)).toEqual([
      'read disposed',
      'file closed true',
      'facade read 4',
      'facade after scope EBADF',
      'runtime after scope EBADF',
      'dir string',
    ]);
  });

  test('its declarations type-check in a consumer, with typed error codes and without internals', () => {
    const dir = projectWithBinary();
    writeFileSync(
      join(dir, 'main.ts'),
      `import { NativeRt, type AddonStatus, type DriverFile, type DriverFs, type MfioErrorCode } from '@mfio/rt';
       const rt: NativeRt = NativeRt.builder().fallbackWarning(false).build();
       const status: AddonStatus = NativeRt.addonStatus();
       const code: MfioErrorCode = 'ERR_MFIO_NO_BACKEND';
       // @ts-expect-error a misspelled code does not compile
       const typo: MfioErrorCode = 'ERR_MFIO_NO_BACKENDS';
       declare const fs: DriverFs;
       declare const file: DriverFile;
       // @ts-expect-error @internal members are not in the declarations (stripInternal)
       void fs.resources;
       // @ts-expect-error the runtime's close of a handle is internal
       void file.shut();
       export { rt, status, code, typo };`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['main.ts'],
      }),
    );
    // @types/node comes from the workspace.
    run('node', [tsc, '-p', 'tsconfig.json', '--types', 'node', '--typeRoots', join(packageDir, 'node_modules/@types')], dir);
    // Installed, the conformance suite is not an entry point: it is @mfio/rt-conformance.
    const out = run('node', ['--input-type=module', '-e', "import('@mfio/rt/conformance').then(() => console.log('found'), (e) => console.log(e.code))"], dir);
    expect(out.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
