import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = resolve(__dirname, '..');
const jestBin = require.resolve('jest/bin/jest', { paths: [packageDir] });

/** What jest --json reports (the fields read here). */
interface JestReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

// jest runs test files as CommonJS unless told otherwise, so that is how most users load the
// suite. A project in a temp dir, its node_modules linking this package, @mfio/rt and
// @mfio/core as an install would, runs test/commonjs/conformance.test.cjs with jest's defaults
// (no transform, no module mapping): the package's `require` entry, not its sources.
describe('a CommonJS consumer (jest without ESM mode)', () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'mfio-rt-conformance-cjs-'));
    await mkdir(join(project, 'node_modules', '@mfio'), { recursive: true });
    for (const [name, dir] of [
      ['rt-conformance', packageDir],
      ['rt', resolve(packageDir, '../mfio-rt')],
      ['core', resolve(packageDir, '../mfio')],
    ] as const) {
      await symlink(dir, join(project, 'node_modules', '@mfio', name), 'junction');
    }
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'cjs-consumer', private: true }));
    // Copied, not required from here: its require() calls must resolve from the project.
    await copyFile(join(__dirname, 'commonjs', 'conformance.test.cjs'), join(project, 'conformance.test.cjs'));
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  test('requires the suite and runs its filesystem cases on the libuv backend, every one passing', async () => {
    // jest's 5 s default timeout is short for the suite's load cases on a busy machine.
    const config = { rootDir: project, testEnvironment: 'node', testMatch: ['**/*.test.cjs'], transform: {}, testTimeout: 60_000 };
    const { stdout } = await run(process.execPath, [jestBin, '--ci', '--json', '--config', JSON.stringify(config)], {
      cwd: project,
      timeout: 300_000,
      maxBuffer: 64 << 20,
    }).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`${error.message}\n${error.stderr ?? ''}`);
    });
    const report = JSON.parse(stdout) as JestReport;
    expect(report).toMatchObject({ success: true, numFailedTests: 0 });
    // The resolution check and the suite's filesystem cases (TCP: one skipped test).
    expect(report.numPassedTests).toBeGreaterThan(50);
    expect(report.numPendingTests).toBe(1);
  });
});
