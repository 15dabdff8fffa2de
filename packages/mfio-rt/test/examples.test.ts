import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const tsx = join(__dirname, '..', 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');

// The README's commands, run as written (through tsx, as the package scripts do), so the
// examples cannot rot: once on the default backend, once on libuv (the fallback everywhere).
describe.each([
  ['the default backend', undefined],
  ['MFIO_FS_BACKENDS=libuv', 'libuv'],
])('examples on %s', (_label, backends) => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (backends === undefined) delete env.MFIO_FS_BACKENDS;
  else env.MFIO_FS_BACKENDS = backends;
  const options = { cwd: join(__dirname, '..'), timeout: 60_000, env };

  test('quick-start reads a file on the default runtime and closes it with await using', async () => {
    const { stdout } = await run(tsx, ['examples/quick-start.ts', 'package.json'], options);
    const bytes = readFileSync(join(__dirname, '..', 'package.json'));
    expect(stdout).toBe(`${bytes.length} bytes, starting with ${JSON.stringify(bytes.subarray(0, 16).toString())}\n`);
  });

  test('copy-file copies a generated file with many reads in flight and checks it', async () => {
    const { stdout } = await run(tsx, ['examples/copy-file.ts'], options);
    expect(stdout).toContain('the copy is identical');
    if (backends !== undefined) expect(stdout).toContain(`on the ${backends} backend`);
  });

  test('echo-server --demo echoes a node:net client and exits by itself', async () => {
    const { stdout } = await run(tsx, ['examples/echo-server.ts', '--demo'], options);
    expect(stdout).toMatch(/demo client: \d+ bytes echoed back intact/);
  });
});
