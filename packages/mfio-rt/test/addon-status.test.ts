import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linuxLibc, platformPackageName } from '../src/native/addon-candidates.js';

describe('linuxLibc()', () => {
  (process.platform === 'linux' ? test : test.skip)("agrees with Node's own report of the C library", () => {
    const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
    expect(linuxLibc()).toBe(header.glibcVersionRuntime === undefined ? 'musl' : 'gnu');
    expect(platformPackageName()).toBe(`@mfio/rt-linux-${process.arch}-${linuxLibc()}`);
  });

  (process.platform === 'linux' ? test : test.skip)('costs a few file reads, not a whole process report', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) linuxLibc();
    expect(Number(process.hrtime.bigint() - started) / 1e6 / 100).toBeLessThan(5);
  });

  (process.platform === 'linux' ? test.skip : test)('is undefined off Linux', () => {
    expect(linuxLibc()).toBeUndefined();
  });
});

/** addonStatus() never throws, whatever MFIO_ADDON names; a child process each (the status is cached per process). */
describe('NativeRt.addonStatus()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-rt-status-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const status = (addon: string): string => {
    const out = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "import { NativeRt } from '@mfio/rt'; const s = NativeRt.addonStatus(); console.log(s.loaded ? 'loaded' : s.error.code);"],
      { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 30_000, env: { ...process.env, MFIO_ADDON: addon } },
    );
    expect(out.stderr).toBe('');
    return out.stdout.trim();
  };

  test('reports a file that is no addon, a folder and a missing file as errors', () => {
    writeFileSync(join(dir, 'text.node'), 'not an ELF file');
    expect(status(join(dir, 'text.node'))).toBe('ERR_MFIO_ADDON_LOAD');
    expect(status(dir)).toBe('ERR_MFIO_ADDON_LOAD');
    expect(status(join(dir, 'missing.node'))).toBe('ERR_MFIO_ADDON_LOAD');
  });
});
