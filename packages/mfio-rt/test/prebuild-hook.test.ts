import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const workspaceRoot = resolve(__dirname, '../../..');
const { NODE_PATH: _workspacePath, ...userEnv } = process.env;

/**
 * `prebuild` is a command of its own (`pnpm -F @mfio/rt prebuild` cross-builds every platform
 * package), not a hook of `build`: pnpm runs `pre<name>` before `<name>` unless the workspace says
 * otherwise, and then `pnpm build`, `pnpm bench` and `pnpm test` would cross-build all three
 * targets. A workspace of its own, with this repository's pnpm-workspace.yaml, shows what pnpm does
 * with it (the real `build` would rewrite dist/ under the other tests' feet).
 */
describe('the prebuild script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-rt-hooks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(workspaceRoot, 'pnpm-workspace.yaml'), join(dir, 'pnpm-workspace.yaml'));
  const { packageManager } = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8')) as { packageManager: string };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'hooks', private: true, packageManager, scripts: { prebuild: 'echo PREBUILD-RAN', build: 'echo BUILD-RAN' } }),
  );
  const run = (script: string): string =>
    execFileSync('pnpm', ['run', script], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, env: userEnv });

  test('is still a script of @mfio/rt', () => {
    const { scripts } = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.prebuild).toBe('node scripts/prebuild.mjs');
  });

  test('does not run before build', () => {
    const out = run('build');
    expect(out).toContain('BUILD-RAN');
    expect(out).not.toContain('PREBUILD-RAN');
  });

  test('runs when asked for', () => {
    expect(run('prebuild')).toContain('PREBUILD-RAN');
  });
});
