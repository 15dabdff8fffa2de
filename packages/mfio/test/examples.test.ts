import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const packageDir = resolve(__dirname, '..');

describe('examples run as written', () => {
  test('examples/read-write.ts reads and writes through the in-memory backend', () => {
    const tsx = require.resolve('tsx/cli', { paths: [packageDir] });
    const out = execFileSync(process.execPath, [tsx, 'examples/read-write.ts'], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
    expect(out).toContain('wrote 1000 records concurrently: 12000 bytes');
    expect(out).toContain('readAt(13 * 12, 12) -> "record 0013\\n"');
    expect(out).toMatch(/stream copy: 12000 bytes, sha256 (\w+) = \1/);
    expect(out).toContain('after close: EBADF');
  });
});
