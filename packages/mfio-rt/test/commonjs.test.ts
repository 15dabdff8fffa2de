import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// `require('@mfio/rt')` from a .cjs file run by node, on the built package (dist/cjs): once on
// the default backend, once on libuv (the fallback everywhere).
describe.each([
  ['the default backend', undefined],
  ['MFIO_FS_BACKENDS=libuv', 'libuv'],
])('a CommonJS consumer on %s', (_label, backends) => {
  test('requires @mfio/rt, reads and writes a file, and shares the addon with the ES module build', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (backends === undefined) delete env.MFIO_FS_BACKENDS;
    else env.MFIO_FS_BACKENDS = backends;
    const { stdout } = await run(process.execPath, [join(__dirname, 'commonjs', 'consumer.cjs')], { timeout: 60_000, env });
    const found = JSON.parse(stdout) as { backend: string };
    if (backends !== undefined) expect(found.backend).toBe(backends);
    expect(found).toEqual({
      resolved: join(__dirname, '..', 'dist', 'cjs', 'index.js'),
      backend: found.backend,
      cjsText: `written by ${found.backend}`,
      esmText: `written by ${found.backend}`,
      addonsLoaded: 1,
      esmErrorIsCjs: true,
    });
  });
});
