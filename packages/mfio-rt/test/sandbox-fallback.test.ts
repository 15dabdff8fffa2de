import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fixtures = join(__dirname, 'fixtures');
const linux = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');

/** A sandbox where io_uring_setup fails with EPERM: the builder must fall back and say why. */
(linux ? describe : describe.skip)('io_uring refused by a seccomp sandbox (EPERM)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-sandbox-'));
  const launcher = join(dir, 'deny-io-uring');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('buildEach() records the reason, build() falls back to the next backend, and I/O works', () => {
    execFileSync('cc', ['-O2', '-o', launcher, join(fixtures, 'deny-io-uring.c')]);
    writeFileSync(join(dir, 'data.txt'), 'hello sandbox');
    const out = execFileSync(launcher, [process.execPath, join(fixtures, 'report-backends.mjs'), join(dir, 'data.txt')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out).toMatch(/^io_uring: The io_uring backend is unavailable: io_uring_setup failed: .* \(EPERM\)$/m);
    const built = /^built: (\w+), read: hello$/m.exec(out);
    expect(built).not.toBeNull();
    expect(built![1]).not.toBe('io_uring');
    expect(out).toMatch(/^libuv: ok$/m);
  });
});
