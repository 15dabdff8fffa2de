import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const workspaceRoot = resolve(__dirname, '../../..');
const { NODE_PATH: _workspacePath, ...userEnv } = process.env;

/**
 * The workspace's .pnpmfile.cjs when a platform package is packed: in a workspace of its own
 * (this repository's .pnpmfile.cjs and pnpm-workspace.yaml, a copy of one platform package), so
 * the real package's binary stays where it is.
 */
describe('packing a platform package', () => {
  const root = mkdtempSync(join(tmpdir(), 'mfio-rt-pnpmfile-'));
  const dir = join(root, 'packages', 'mfio-rt', 'npm', 'linux-x64-gnu');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(dir, { recursive: true });
  for (const file of ['.pnpmfile.cjs', 'pnpm-workspace.yaml']) copyFileSync(join(workspaceRoot, file), join(root, file));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'root', private: true }));
  copyFileSync(join(workspaceRoot, 'packages', 'mfio-rt', 'npm', 'linux-x64-gnu', 'package.json'), join(dir, 'package.json'));
  const pack = (): { status: number | null; output: string } => {
    const out = spawnSync('pnpm', ['pack', '--pack-destination', root], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: userEnv });
    return { status: out.status, output: `${out.stdout}${out.stderr}` };
  };

  test('without its mfio_rt.node is refused, saying how to build it', () => {
    const { status, output } = pack();
    expect(status).not.toBe(0);
    expect(output).toContain(`@mfio/rt-linux-x64-gnu: ${join(dir, 'mfio_rt.node')} is missing; build it first: pnpm -F @mfio/rt prebuild linux-x64-gnu`);
  });

  test('with it succeeds', () => {
    writeFileSync(join(dir, 'mfio_rt.node'), 'stand-in');
    const { status, output } = pack();
    expect(output).toContain('mfio-rt-linux-x64-gnu-');
    expect(status).toBe(0);
  });
});
