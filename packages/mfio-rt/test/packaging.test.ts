import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../mfio');
const tsc = require.resolve('typescript/bin/tsc', { paths: [packageDir] });

/**
 * `pnpm pack` of @mfio/core and @mfio/rt installs into a fresh project outside the workspace;
 * the addon builds on install (offline: node-api-headers, no header download), and without it
 * the loader explains every cause while the builder still offers libuv.
 */
describe('the published @mfio/rt package', () => {
  const work = mkdtempSync(join(tmpdir(), 'mfio-rt-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string =>
    execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, env: { ...process.env, ...env } });
  let tarballs: string[] = [];

  beforeAll(() => {
    run('pnpm', ['pack', '--pack-destination', work], coreDir);
    run('pnpm', ['pack', '--pack-destination', work], packageDir);
    tarballs = readdirSync(work)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(work, f));
  });

  /** A fresh ESM project with both tarballs installed. */
  function project(name: string, env: NodeJS.ProcessEnv = {}): string {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...tarballs], dir, env);
    writeFileSync(join(dir, 'data.txt'), 'installed');
    writeFileSync(
      join(dir, 'main.js'),
      `import { NativeRt } from '@mfio/rt';
       for (const r of NativeRt.builder().enableAll().buildEach()) {
         console.log(r.name + ': ' + (r.rt ? 'ok' : r.error.message.replace(/\\n/g, ' | ')));
         await r.rt?.close();
       }
       const rt = NativeRt.builder().enableAll().build();
       const file = await rt.open('data.txt');
       console.log('built ' + rt.backendName + ': ' + (await file.readToEnd()).toString());
       await rt.close();`,
    );
    return dir;
  }

  test('both tarballs exist', () => {
    expect(tarballs.map((t) => t.slice(work.length + 1)).sort()).toEqual([
      expect.stringMatching(/^mfio-core-\d+\.\d+\.\d+\.tgz$/),
      expect.stringMatching(/^mfio-rt-\d+\.\d+\.\d+\.tgz$/),
    ]);
  });

  /** The project with the addon built on install, made once for the tests that use it. */
  let withAddon: string | undefined;
  const projectWithAddon = (): string => (withAddon ??= project('with-addon'));

  test('installs, builds its addon on install, and runs on io_uring', () => {
    const out = run('node', ['main.js'], projectWithAddon());
    expect(out).toMatch(/^libuv: ok$/m);
    if (process.platform === 'linux') {
      expect(out).toMatch(/^io_uring: ok$/m);
      expect(out).toMatch(/^built io_uring: installed$/m);
    }
  });

  // The conformance suite is its own package (@mfio/rt-conformance, a devDependency of those who
  // test an Fs): the runtime ships no jest cases and builds without jest's types.
  test('ships no conformance suite, no tests and nothing that needs jest', () => {
    const tarball = tarballs.find((t) => /mfio-rt-\d[^/\\]*\.tgz$/.test(t))!;
    const files = run('tar', ['tzf', tarball], work)
      .split(/\r?\n/)
      .filter((f) => f !== '');
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts']));
    expect(files.filter((f) => /conformance|\.test\.|jest/i.test(f))).toEqual([]);

    const unpacked = join(work, 'rt-unpacked');
    mkdirSync(unpacked);
    run('tar', ['xzf', tarball, '-C', unpacked], work);
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json']);
    const needed = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies });
    expect(needed.filter((name) => /jest|conformance/.test(name))).toEqual([]);
    // No declaration a user's tsc reads pulls in jest's types.
    const declarations = files.filter((f) => f.endsWith('.d.ts'));
    expect(declarations.length).toBeGreaterThan(0);
    const needingJest = declarations.filter((f) => /reference types="jest"|@jest\/|\bjest\./.test(readFileSync(join(unpacked, f), 'utf8')));
    expect(needingJest).toEqual([]);

    // Installed, the old entry point is gone: the suite is imported from @mfio/rt-conformance.
    const out = run(
      'node',
      ['--input-type=module', '-e', "import('@mfio/rt/conformance').then(() => console.log('found'), (e) => console.log(e.code))"],
      projectWithAddon(),
    );
    expect(out.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('without the addon: one error lists every path tried and the fix; the builder falls back to libuv', () => {
    const out = run('node', ['main.js'], project('without-addon', { MFIO_SKIP_NATIVE: '1' }));
    const line = /^io_uring: (.*)$/m.exec(out)?.[1] ?? '';
    if (process.platform === 'linux') {
      expect(line).toContain('could not be loaded');
      expect(line).toMatch(/build[\\/]Release[\\/]mfio_rt\.node: not found/);
      expect(line).toContain(`${process.platform}-${process.arch}`);
      expect(line).toMatch(/prebuilds[\\/][\w-]+[\\/]mfio_rt\.node: not found/);
      expect(line).toContain('pnpm --filter @mfio/rt build:native');
    }
    expect(out).toMatch(/^built libuv: installed$/m);
  });

  test('its declarations type-check in a consumer, with typed error codes and without internals', () => {
    const dir = project('types', { MFIO_SKIP_NATIVE: '1' });
    writeFileSync(
      join(dir, 'main.ts'),
      `import { NativeRt, type DriverFile, type DriverFs, type MfioErrorCode } from '@mfio/rt';
       const rt: NativeRt = NativeRt.builder().build();
       const code: MfioErrorCode = 'ERR_MFIO_NO_BACKEND';
       // @ts-expect-error a misspelled code does not compile
       const typo: MfioErrorCode = 'ERR_MFIO_NO_BACKENDS';
       declare const fs: DriverFs;
       declare const file: DriverFile;
       // @ts-expect-error @internal members are not in the declarations (stripInternal)
       void fs.resources;
       // @ts-expect-error the runtime's close of a handle is internal
       void file.shut();
       export { rt, code, typo };`,
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
  });
});
