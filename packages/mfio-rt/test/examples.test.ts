import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const tsx = join(__dirname, '..', 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');

// The README's commands, run as written (through tsx, as the package scripts do), so the
// examples cannot rot.
describe('examples', () => {
  test('copy-file copies a generated file with many reads in flight and checks it', async () => {
    const { stdout } = await run(tsx, ['examples/copy-file.ts'], { cwd: join(__dirname, '..'), timeout: 60_000 });
    expect(stdout).toContain('the copy is identical');
  });

  test('echo-server --demo echoes a node:net client and exits by itself', async () => {
    const { stdout } = await run(tsx, ['examples/echo-server.ts', '--demo'], { cwd: join(__dirname, '..'), timeout: 60_000 });
    expect(stdout).toMatch(/demo client: \d+ bytes echoed back intact/);
  });
});
