import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../mfio');
const rtDir = resolve(packageDir, '../mfio-rt');
const tsc = require.resolve('typescript/bin/tsc', { paths: [packageDir] });

/** What the package exports, as before it left @mfio/rt (`@mfio/rt/conformance`). */
const EXPORTS = [
  'HANG_MS',
  'PROMISES_CASES',
  'allDirs',
  'conformanceSuite',
  'describeInFlight',
  'largeByte',
  'largeFile',
  'listing',
  'makeFixture',
  'promisesComparison',
  'repeats',
  'tempDirTarget',
  'track',
  'until',
  'within',
];

/**
 * `pnpm pack` of @mfio/core, @mfio/rt and this package installs into a fresh project outside
 * the workspace. jest is the user's (a peer dependency) and is not installed there: loading the
 * package and type-checking a test file against it must need neither jest nor its types.
 */
describe('the published @mfio/rt-conformance package', () => {
  const work = mkdtempSync(join(tmpdir(), 'mfio-rt-conformance-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string =>
    execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, env: { ...process.env, ...env } });
  let tarball = '';
  let app = '';

  beforeAll(() => {
    for (const dir of [coreDir, rtDir, packageDir]) run('pnpm', ['pack', '--pack-destination', work], dir);
    const tarballs = readdirSync(work)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(work, f));
    tarball = tarballs.find((t) => /mfio-rt-conformance-\d/.test(t)) ?? '';
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // --legacy-peer-deps: npm would otherwise fetch jest, the peer this project must do without.
    // @mfio/rt's platform packages are optional and not packed here: the runtime's addon is not
    // what is tested, and npm skips them.
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--legacy-peer-deps', ...tarballs], app);
  });

  test('ships the built suite and its README, no tests; @mfio/rt and jest are peers', () => {
    const files = run('tar', ['tzf', tarball], work)
      .split(/\r?\n/)
      .filter((f) => f !== '');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/cjs/index.js',
        'package/dist/cjs/index.d.ts',
        'package/README.md',
      ]),
    );
    expect(files.filter((f) => /(^package\/test\/|\.test\.)/.test(f))).toEqual([]);

    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', '@mfio', 'rt-conformance', 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const rtVersion = (JSON.parse(readFileSync(join(rtDir, 'package.json'), 'utf8')) as { version: string }).version;
    expect(pkg.peerDependencies).toEqual({ '@mfio/rt': `^${rtVersion}`, jest: expect.any(String) });
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('@mfio/rt');
  });

  test('loads in plain Node, without jest, and exports the suite and its helpers', () => {
    const out = run('node', ['--input-type=module', '-e', "console.log(Object.keys(await import('@mfio/rt-conformance')).sort().join(' '))"], app);
    expect(out.trim().split(' ')).toEqual([...EXPORTS].sort());
  });

  test('require() loads the CommonJS build, with the same exports', () => {
    const script =
      "const m = require('@mfio/rt-conformance'); console.log(require.resolve('@mfio/rt-conformance')); console.log(Object.keys(m).sort().join(' '))";
    const [resolved, keys] = run('node', ['--input-type=commonjs', '-e', script], app).trim().split('\n');
    expect(resolved).toBe(join(realpathSync(app), 'node_modules', '@mfio', 'rt-conformance', 'dist', 'cjs', 'index.js'));
    expect(keys!.split(' ')).toEqual([...EXPORTS].sort());
  });

  test("a test file type-checks against the packed declarations with @mfio/rt's types, without jest's", () => {
    writeFileSync(
      join(app, 'my-fs.test.ts'),
      `import { conformanceSuite, tempDirTarget, HANG_MS, within } from '@mfio/rt-conformance';
       import { NativeRt } from '@mfio/rt';
       conformanceSuite(
         tempDirTarget('libuv', (cwd) => {
           const rt = NativeRt.builder().libuv().cwd(cwd).build();
           return { fs: rt, tcp: rt, close: () => within(rt.close(), HANG_MS, 'rt.close()') };
         }),
         { symlinks: 'not here', skip: { 'some case': 'why' }, knownFailing: { 'another case': 'the fix' } },
       );
       // @ts-expect-error: a target's fs must be an @mfio/rt Fs
       conformanceSuite(tempDirTarget('no fs', () => ({ fs: {}, close: async () => {} })));`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['my-fs.test.ts'],
      }),
    );
    // The only type root holds @types/node from the workspace (the declarations use Buffer and
    // timers): a declaration that referenced jest's types would fail to resolve them.
    const typeRoots = join(work, 'type-roots');
    mkdirSync(typeRoots);
    symlinkSync(realpathSync(join(packageDir, 'node_modules', '@types', 'node')), join(typeRoots, 'node'), 'junction');
    run('node', [tsc, '-p', 'tsconfig.json', '--types', 'node', '--typeRoots', typeRoots], app);
  });
});
