import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// `require('@mfio/core')` from a .cjs file run by node, on the built package (dist/cjs).
test('a CommonJS consumer requires @mfio/core and mixes it with the ES module build', async () => {
  const { stdout } = await run(process.execPath, [join(__dirname, 'commonjs', 'consumer.cjs')], { timeout: 60_000 });
  expect(JSON.parse(stdout)).toEqual({
    resolved: join(__dirname, '..', 'dist', 'cjs', 'index.js'),
    word: 'from',
    many: ['hello', 'CommonJS'],
    eofCode: 'ERR_UNEXPECTED_EOF',
    twoBuilds: true,
    cjsErrorIsEsm: true,
    esmErrorIsCjs: true,
    esmReadsCjsFile: 'hello',
  });
});
