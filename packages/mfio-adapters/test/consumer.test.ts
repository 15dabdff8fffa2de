import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

const adaptersDir = resolve(__dirname, '..');
const rtDir = resolve(adaptersDir, '../mfio-rt');
const coreDir = resolve(adaptersDir, '../mfio');
// The platform package packed here is the one this machine can run.
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
// A user's environment: without the NODE_PATH that pnpm's bin shims (jest's among them) export,
// through which the project would find the workspace's packages.
const { NODE_PATH: _workspacePath, ...userEnv } = process.env;
// What the consumer gets from the workspace's own node_modules, never from a registry: the
// compiler (TypeScript ~5.9), and the libraries it installs beside ours, each `npm pack`ed from
// its installed folder. hyparquet because it has no dependencies of its own; @types/node, for
// `node:` modules and Symbol.asyncDispose, with its one dependency, undici-types.
const tsc = require.resolve('typescript/bin/tsc', { paths: [adaptersDir] });
const hyparquetDir = realpathSync(join(adaptersDir, 'node_modules', 'hyparquet'));
const typesNodeDir = realpathSync(join(adaptersDir, 'node_modules', '@types', 'node'));
const undiciTypesDir = dirname(createRequire(join(typesNodeDir, 'package.json')).resolve('undici-types/package.json'));

/** Two columns, two row groups: what the consumer reads back through the adapter. */
const CITIES = ['Lisbon', 'Oslo', 'Quito', 'Nairobi'];
const POPULATIONS = [545_000, 709_000, 2_800_000, 4_400_000];

/**
 * The consumer: the default runtime and `await using` (`open` from '@mfio/rt'), a Parquet file
 * read with hyparquet through '@mfio/adapters/hyparquet', and node:fs/promises' shape from
 * '@mfio/rt/promises' (`open`, `FileHandle.read`, `readFile`, `stat`). One line per fact.
 */
const MAIN_TS = `import { defaultRt, open, writeFile, type FileHandle } from '@mfio/rt';
import { open as openLikeNode, readFile, stat } from '@mfio/rt/promises';
import { asyncBufferFrom } from '@mfio/adapters/hyparquet';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';

let parquet: FileHandle;
{
  await using file = await open('cities.parquet');
  parquet = file;
  const buffer = await asyncBufferFrom(file);
  const metadata = await parquetMetadataAsync(buffer);
  console.log(\`parquet: \${metadata.num_rows} rows in \${metadata.row_groups.length} row groups\`);
  const rows = await parquetReadObjects({ file: buffer, metadata, columns: ['city', 'population'] });
  for (const row of rows) console.log(\`row: \${String(row.city)} \${String(row.population)}\`);
}
console.log(\`closed at the end of its scope: \${parquet.closed}\`);
console.log(\`default runtime: \${defaultRt().backendName}\`);

await writeFile('notes.txt', 'completion I/O, installed');
{
  await using handle = await openLikeNode('notes.txt', 'r');
  const { bytesRead, buffer } = await handle.read(Buffer.alloc(9), 0, 9, 16);
  console.log(\`promises read: \${bytesRead} \${buffer.toString('utf8', 0, bytesRead)}\`);
}
console.log(\`promises stat: \${(await stat('notes.txt')).size}\`);
console.log(\`promises readFile: \${await readFile('notes.txt', 'utf8')}\`);
await stat('missing.txt').catch((error: NodeJS.ErrnoException) => console.log(\`promises stat of a missing file: \${error.code}\`));
`;

/**
 * @mfio/core, @mfio/rt, its platform package and @mfio/adapters `pnpm pack`ed, installed with
 * npm from those tarballs alone (`--offline`) into a fresh project outside the workspace, with
 * hyparquet and @types/node, as a user would; a TypeScript consumer type-checked and compiled
 * by tsc, then run by node.
 */
(linuxX64 ? describe : describe.skip)('a consumer project of the published packages', () => {
  const work = mkdtempSync(join(tmpdir(), 'mfio-consumer-'));
  const project = join(work, 'project');
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const run = (cmd: string, args: string[], cwd: string): string =>
    execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, env: userEnv });
  const tarball = (prefix: string): string =>
    join(
      work,
      readdirSync(work).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'))!,
    );

  beforeAll(() => {
    // The platform package's binary as prebuild makes it, built and packed under the lock that
    // @mfio/rt's packaging test takes too (both run at once under `pnpm test`).
    run(process.execPath, [join(rtDir, 'scripts', 'pack-platform.mjs'), 'linux-x64-gnu', work], rtDir);
    for (const dir of [coreDir, rtDir, adaptersDir]) run('pnpm', ['pack', '--pack-destination', work], dir);
    // --ignore-scripts: an installed folder is packed as it is (hyparquet's `prepare` would build).
    for (const dir of [hyparquetDir, typesNodeDir, undiciTypesDir]) run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], dir);

    mkdirSync(project);
    // `overrides` make the tarball stand in for the registry; npm still picks the platform
    // package from @mfio/rt's optionalDependencies by its os, cpu and libc.
    const overrides = { '@mfio/rt-linux-x64-gnu': `file:${tarball('mfio-rt-linux-x64-gnu-')}` };
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', overrides }));
    const npmInstall = (args: string[]): string => run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...args], project);
    npmInstall([tarball('mfio-core-'), tarball('mfio-rt-0'), tarball('mfio-adapters-'), tarball('hyparquet-')]);
    npmInstall(['--save-dev', tarball('types-node-'), tarball('undici-types-')]);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          skipLibCheck: false,
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(join(project, 'main.ts'), MAIN_TS);
    // The Parquet file, written by hyparquet-writer.
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: 'city', data: CITIES, type: 'STRING' },
        { name: 'population', data: Int32Array.from(POPULATIONS), type: 'INT32' },
      ],
      rowGroupSize: 2,
    });
    writeFileSync(join(project, 'cities.parquet'), Buffer.from(parquet));
  });

  test('installs from the tarballs alone: our packages, this machine’s binary, the libraries', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(manifest.dependencies!).sort()).toEqual(['@mfio/adapters', '@mfio/core', '@mfio/rt', 'hyparquet']);
    expect(Object.keys(manifest.devDependencies!).sort()).toEqual(['@types/node', 'undici-types']);
    expect(readdirSync(join(project, 'node_modules', '@mfio')).sort()).toEqual(['adapters', 'core', 'rt', 'rt-linux-x64-gnu']);
  });

  test('type-checks with TypeScript 5 (strict, nodenext), then runs on the installed binary', () => {
    expect(run(process.execPath, [tsc, '--version'], project)).toMatch(/^Version 5\./);
    // tsc reports type errors on stdout and exits non-zero: the message shows them.
    const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 120_000, env: userEnv });
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);

    const out = spawnSync(process.execPath, [join('out', 'main.js')], { cwd: project, encoding: 'utf8', timeout: 60_000, env: userEnv });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout.split('\n').filter(Boolean)).toEqual([
      'parquet: 4 rows in 2 row groups',
      ...CITIES.map((city, i) => `row: ${city} ${POPULATIONS[i]}`),
      'closed at the end of its scope: true',
      'default runtime: io_uring',
      'promises read: 9 installed',
      `promises stat: ${'completion I/O, installed'.length}`,
      'promises readFile: completion I/O, installed',
      'promises stat of a missing file: ENOENT',
    ]);
  });
});
