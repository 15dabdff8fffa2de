import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const child = join(__dirname, 'fixtures', 'fallback-child.mjs');
const best = process.platform === 'linux' ? 'io_uring' : process.platform === 'win32' ? 'iocp' : 'threadpool';

/** With no addon (MFIO_ADDON names no file), build() falls back to libuv; a child process each, since the warning is once per process. */
describe('build() falling back from the best backend', () => {
  const run = (builder: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): { stdout: string; stderr: string; warnings: number } => {
    const out = spawnSync(process.execPath, [...nodeArgs, child, builder], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, MFIO_ADDON: join(__dirname, 'no-such-addon.node'), MFIO_FS_BACKENDS: '', ...env },
    });
    expect(out.status).toBe(0);
    return { stdout: out.stdout, stderr: out.stderr, warnings: (out.stderr.match(/\[MFIO_BACKEND_FALLBACK\]/g) ?? []).length };
  };

  test('warns once per process, naming the backend it settled for and why', () => {
    const { stdout, stderr, warnings } = run('all');
    expect(stdout).toBe('built libuv\nbuilt libuv\n');
    expect(warnings).toBe(1);
    expect(stderr).toContain(`@mfio/rt runs on the libuv backend, not ${best}: `);
    // One line says what happened; the detail below it holds the causes, the fix, and how to silence it.
    const [message = '', ...detail] = stderr.slice(stderr.indexOf('[MFIO_BACKEND_FALLBACK]')).split('\n');
    expect(message).toContain('could not be loaded, so only the libuv backend is available:');
    expect(message).not.toContain('Fix:');
    const rest = detail.join('\n');
    expect(rest).toMatch(/^ {2}- MFIO_ADDON \S+no-such-addon\.node: /m);
    expect(rest).toContain('Fix: unset MFIO_ADDON');
    expect(rest).toContain('NativeRt.builder().fallbackWarning(false)');
    expect(rest).toContain('--disable-warning=MFIO_BACKEND_FALLBACK');
  });

  test('--disable-warning=MFIO_BACKEND_FALLBACK silences it', () => {
    expect(run('all', {}, ['--disable-warning=MFIO_BACKEND_FALLBACK']).warnings).toBe(0);
  });

  test('fallbackWarning(false) silences it', () => {
    expect(run('silenced').warnings).toBe(0);
  });

  test('warns when the backends left out do not include the best one, in the builder or MFIO_FS_BACKENDS', () => {
    expect(run('best-and-libuv').warnings).toBe(1);
    expect(run('all-but-foreign').warnings).toBe(1);
    expect(run('all', { MFIO_FS_BACKENDS: `${best},libuv` }).warnings).toBe(1);
  });

  test('no warning when the user left the best backend out, in the builder or MFIO_FS_BACKENDS', () => {
    expect(run('restricted').warnings).toBe(0);
    const others = ['io_uring', 'iocp', 'threadpool', 'libuv'].filter((name) => name !== best);
    expect(run('all', { MFIO_FS_BACKENDS: others.join(',') }).warnings).toBe(0);
  });
});
