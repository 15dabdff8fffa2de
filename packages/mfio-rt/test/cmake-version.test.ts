import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const packageDir = resolve(__dirname, '..');
const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
// cmake-js configures with Ninja where it is installed, else with Makefiles; each has its own way
// to ask "is the configuration up to date?" without compiling anything.
const ninja = spawnSync('ninja', ['--version']).status === 0;
const generator = ninja
  ? { name: 'Ninja', check: 'build.ninja', flags: 'build.ninja' }
  : { name: 'Unix Makefiles', check: 'cmake_check_build_system', flags: join('CMakeFiles', 'mfio_rt.dir', 'flags.make') };
const hasCmake = spawnSync('cmake', ['--version']).status === 0;

/**
 * The version the addon reports comes from package.json through CMakeLists.txt. Configured in a
 * copy of the package (its own package.json, the sources linked), nothing compiled: the
 * MFIO_RT_VERSION definition in the generated build files is what the compiler would get.
 */
(hasCmake ? describe : describe.skip)('CMakeLists.txt and the package version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-rt-cmake-'));
  const build = join(dir, 'build');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(packageDir, 'CMakeLists.txt'), join(dir, 'CMakeLists.txt'));
  for (const name of ['src', 'cmake', 'node_modules']) symlinkSync(join(packageDir, name), join(dir, name));
  const setVersion = (v: string): void => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...pkg, version: v }, null, 2)}\n`);
  };
  const configured = (): string | undefined => /MFIO_RT_VERSION=\\?"([^"\\]+)/.exec(readFileSync(join(build, generator.flags), 'utf8'))?.[1];
  const cmake = (args: string[]): string => execFileSync('cmake', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

  beforeAll(() => {
    setVersion(version);
    // CMAKE_JS_INC: cmake-js passes the Node-API headers; configuring needs only a value.
    cmake(['-S', dir, '-B', build, '-G', generator.name, `-DCMAKE_JS_INC=${dir}`, '--no-warn-unused-cli']);
  });

  test("configures with package.json's version", () => {
    expect(configured()).toBe(version);
  });

  // `cmake-js compile` reuses a configured folder: the bump must reconfigure it, or the local
  // build keeps reporting the old version and the loader refuses it.
  test('a version bump reaches a folder configured before it', () => {
    setVersion('9.8.7');
    cmake(['--build', build, '--target', generator.check]);
    expect(configured()).toBe('9.8.7');
  });
});

// Building from source is the way for the systems the prebuilt binaries miss: Ubuntu 20.04 ships
// CMake 3.16, Debian 11 3.18 (string(JSON) and find_program(REQUIRED) need newer).
test('CMakeLists.txt asks for no CMake newer than Ubuntu 20.04 has', () => {
  // The commands, without the comments that explain why these are not used.
  const text = readFileSync(join(packageDir, 'CMakeLists.txt'), 'utf8').replace(/#.*$/gm, '');
  const [, major = '99', minor = '0'] = /cmake_minimum_required\(VERSION (\d+)\.(\d+)/.exec(text) ?? [];
  expect(Number(major) * 100 + Number(minor)).toBeLessThanOrEqual(316);
  expect(text).not.toMatch(/string\(JSON|find_program\([^)]*REQUIRED/);
});
