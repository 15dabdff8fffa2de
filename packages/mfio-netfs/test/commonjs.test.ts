import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// `require('@mfio/netfs')` from a .cjs file run by node, on the built package (dist/cjs).
test('a CommonJS consumer requires @mfio/netfs, serves a directory on 127.0.0.1 and reads it', async () => {
  const { stdout } = await run(process.execPath, [join(__dirname, 'commonjs', 'consumer.cjs')], { timeout: 60_000 });
  expect(JSON.parse(stdout)).toEqual({
    resolved: join(__dirname, '..', 'dist', 'cjs', 'index.js'),
    text: 'served to CommonJS',
    missingCode: 'ENOENT',
    missingIsMfioError: true,
  });
});
