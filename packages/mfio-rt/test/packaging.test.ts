import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz')).map((f) => join(work, f));
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

  test('installs, builds its addon on install, and runs on io_uring', () => {
    const out = run('node', ['main.js'], project('with-addon'));
    expect(out).toMatch(/^libuv: ok$/m);
    if (process.platform === 'linux') {
      expect(out).toMatch(/^io_uring: ok$/m);
      expect(out).toMatch(/^built io_uring: installed$/m);
    }
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
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['main.ts'] }),
    );
    // @types/node comes from the workspace.
    run('node', [tsc, '-p', 'tsconfig.json', '--types', 'node', '--typeRoots', join(packageDir, 'node_modules/@types')], dir);
  });
});
