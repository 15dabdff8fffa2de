/**
 * The soak end to end: the built CLI for a few seconds on every target that starts here, with a
 * netfs server restart every ~2 s, must pass and report operations of every kind on each target.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SoakReport } from '../src/report.js';

const cli = join(__dirname, '..', 'dist', 'cli.js');

function soak(args: string[]): SpawnSyncReturns<string> {
  // Bounded for a hang only: on a loaded machine the servers alone may take a minute to start.
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 240_000 });
}

describe('mfio-soak CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-soak-test-'));
  const json = join(dir, 'summary.json');
  let run: SpawnSyncReturns<string>;
  let report: SoakReport;

  beforeAll(() => {
    run = soak(['--duration', '5s', '--restart-every', '2s', '--sample-every', '100ms', '--seed', '7', '--json', json]);
    if (!existsSync(json)) throw new Error(`the soak wrote no summary (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    report = JSON.parse(readFileSync(json, 'utf8')) as SoakReport;
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('exits 0 and says PASSED, with the seed it was given', () => {
    // On a failure, the failures and the output's end say what went wrong.
    expect({ status: run.status, failures: report.failures, stderr: run.stderr }).toEqual({ status: 0, failures: [], stderr: '' });
    expect(run.stdout).toMatch(/^mfio-soak: seed 7, 5\.0 s/m);
    expect(run.stdout).toMatch(/\nPASSED\n$/);
    expect(report.passed).toBe(true);
  });

  test('ran every kind of operation on every target, the in-memory one and netfs included', () => {
    const names = report.targets.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['libuv', 'virt', 'netfs:libuv']));
    for (const t of report.targets) {
      expect({ name: t.name, ...t.ops }).toEqual({
        name: t.name,
        readAt: expect.any(Number),
        readMany: expect.any(Number),
        writeAt: expect.any(Number),
        repair: expect.any(Number),
        open: expect.any(Number),
        close: expect.any(Number),
      });
      for (const kind of ['readAt', 'readMany', 'writeAt', 'open'] as const) expect([t.name, kind, t.ops[kind] > 0]).toEqual([t.name, kind, true]);
      expect([t.name, t.aborted > 0, t.bytesChecked > 0]).toEqual([t.name, true, true]);
      // Every file was read whole at the end: 3 files of 1 MiB.
      expect([t.name, t.finalBytesChecked]).toEqual([t.name, 3 << 20]);
      expect([t.name, t.unexpectedErrors]).toEqual([t.name, {}]);
      expect(run.stdout).toMatch(new RegExp(`^  ${t.name} +\\d`, 'm'));
    }
  });

  test('killed and restarted every netfs server; the requests in flight failed with ECONNRESET', () => {
    const netfs = report.targets.filter((t) => t.name.startsWith('netfs:'));
    expect(netfs.length).toBeGreaterThan(0);
    for (const t of netfs) {
      expect([t.name, t.restarts > 0]).toEqual([t.name, true]);
      expect([t.name, Object.keys(t.expectedErrors).every((code) => code === 'ABORT_ERR' || code === 'ECONNRESET')]).toEqual([t.name, true]);
    }
    expect(report.servers.map((s) => s.target).sort()).toEqual(netfs.map((t) => t.name).sort());
  });

  test('sampled this process, and found no growth', () => {
    // Whether 5 s give enough samples after the warm-up to judge growth depends on how busy the
    // machine is (the timer waits behind the I/O); the judging itself is growth.test.ts's.
    expect(report.process?.rssGrowth.ok).toBe(true);
    expect(report.process?.fdGrowth.ok).toBe(true);
    expect(report.process!.fds.max).toBeGreaterThan(0);
  });

  test('a bad option exits 2 with the usage', () => {
    const bad = soak(['--duration', '60']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--duration needs a duration with a unit');
    expect(bad.stderr).toContain('Options');
  });
});
