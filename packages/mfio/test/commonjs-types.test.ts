import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const tsc = join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');

// A CommonJS TypeScript project (module node16, a .cts file) compiling against the built
// package: `require` resolves to dist/cjs/, whose types must read as CommonJS declarations (the
// ES module ones would fail with TS1479: "...will produce 'require' calls; however, the
// referenced file is an ECMAScript module").
test("a CommonJS TypeScript consumer compiles against @mfio/core's require types", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mfio-core-cts-'));
  try {
    await mkdir(join(dir, 'node_modules', '@mfio'), { recursive: true });
    await symlink(join(__dirname, '..'), join(dir, 'node_modules', '@mfio', 'core'), 'dir');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'commonjs' }));
    await writeFile(
      join(dir, 'consumer.cts'),
      [
        "import { MemoryFile, MfioError, readAt } from '@mfio/core';",
        'const file = new MemoryFile();',
        'export const read: Promise<Buffer> = readAt(file, 0, 4);',
        "export const isError: boolean = new MfioError('EBADF', 'x') instanceof Error;",
      ].join('\n'),
    );
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'node16',
      '--moduleResolution',
      'node16',
      '--types',
      'node',
      '--typeRoots',
      join(__dirname, '..', 'node_modules', '@types'),
      '--traceResolution',
      join(dir, 'consumer.cts'),
    ];
    const { stdout } = await run(process.execPath, [tsc, ...args], { cwd: dir, timeout: 120_000, maxBuffer: 64 << 20 });
    expect(stdout).toContain(`Module name '@mfio/core' was successfully resolved to '${join(__dirname, '..', 'dist', 'cjs', 'index.d.ts')}'`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
