import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const packageDir = resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [packageDir] });

/** `pnpm pack` must give a tarball that installs and works outside the workspace. */
describe('the published package', () => {
  const work = mkdtempSync(join(tmpdir(), 'mfio-core-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('installs from its tarball into a fresh project, imports as ESM and type-checks without internals', () => {
    const run = (cmd: string, args: string[], cwd: string): string =>
      execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

    run('pnpm', ['pack', '--pack-destination', work], packageDir);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^mfio-core-\d+\.\d+\.\d+\.tgz$/);

    const app = join(work, 'app');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball!)], app);

    writeFileSync(
      join(app, 'main.js'),
      `import { MemoryFile } from '@mfio/core';
       const f = new MemoryFile();
       await f.writeAllAt(0, 'packed and working');
       console.log((await f.readAt(11, 7)).toString());`,
    );
    expect(run('node', ['main.js'], app).trim()).toBe('working');

    writeFileSync(
      join(app, 'main.ts'),
      `import { MemoryFile, Packet, type MfioErrorCode, type PacketResult } from '@mfio/core';
       const f = new MemoryFile();
       const n: Promise<number> = f.readAt(0, Buffer.alloc(1));
       const r: PacketResult | undefined = undefined;
       const code: MfioErrorCode = 'ENOENT';
       // @ts-expect-error a misspelled code does not compile
       const typo: MfioErrorCode = 'ENOENTT';
       // @ts-expect-error @internal members are not in the declarations (stripInternal)
       new Packet(Buffer.alloc(1), 'read')._split();
       export { n, r, code, typo };`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['main.ts'],
      }),
    );
    // The consumer sees our declarations; @types/node comes from the workspace for Buffer.
    run('node', [tsc, '-p', 'tsconfig.json', '--types', 'node', '--typeRoots', join(packageDir, 'node_modules/@types')], app);
  });
});
