/**
 * The real network filesystem peers end to end: the built CLI with --peers installs what is
 * missing (first, with a limit of its own), starts smbd, NFS-Ganesha and sshd on 127.0.0.1,
 * reads a few checked reads through each peer's contender straight and through the delay proxy,
 * and stops every server by its pid. No mocks: the same servers and clients as a bench run.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const appRoot = join(__dirname, '..');
const cli = join(appRoot, 'dist', 'cli.js');
const PEERS = ['smb', 'nfs', 'sshfs', 'http:range:N'];

interface Result {
  spec: { contender: string; size: number; inFlight: number; delayMs?: number };
  verified: boolean;
  readsPerSecond: number;
  error?: string;
}

function bench(args: string[], timeout = 90_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout });
}

describe('mfio-bench --peers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-peers-'));
  const out = join(dir, 'results');
  const delayMs = 2;
  const inFlight = 4;
  let install: SpawnSyncReturns<string>;
  let run: SpawnSyncReturns<string>;
  let results: Result[] = [];

  beforeAll(() => {
    // apt-get on a fresh machine takes minutes: bounded here, apart from the bench run.
    install = spawnSync(process.execPath, [join(appRoot, 'dist', 'peers', 'install-peers.js')], { encoding: 'utf8', timeout: 900_000 });
    if (install.status !== 0) return;
    run = bench(
      [
        ...['--peers', '--file', join(dir, 'sample.bin'), '--file-size', '2', '--patterns', 'random', '--sizes', '4k,64k', '--cache', 'hot'],
        ...['--time', '20', '--reads', '64', '--in-flight', String(inFlight), '--latency', String(delayMs), '--contenders', PEERS.join(','), '--out', out],
      ],
      240_000,
    );
    if (run.status === 0) results = (JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { results: Result[] }).results;
  }, 1_200_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("every peer's packages install (or are here)", () => {
    expect({ status: install.status, stderr: install.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('each server starts on 127.0.0.1 and says how long it took', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const [kind, daemon] of [
      ['smb', 'smbd'],
      ['nfs', 'ganesha.nfsd'],
      ['sshfs', 'sshd'],
    ] as const) {
      expect(run.stdout).toMatch(new RegExp(`^${kind}: ${daemon.replace('.', '\\.')} \\(pid \\d+\\) on 127\\.0\\.0\\.1:\\d+, started in [\\d.]+ s$`, 'm'));
    }
    expect(run.stdout).not.toMatch(/^(smb|nfs|sshfs|http) unavailable/m);
  });

  test('each peer reads 4 KiB and 64 KiB straight and 1 B, 256 B, 64 KiB through the proxy, every read checked', () => {
    const keys = results.map((r) => `${r.spec.delayMs ?? 0} ${r.spec.size} ${r.spec.contender}`).sort();
    const expected = [
      ...[4096, 65536].flatMap((size) => PEERS.map((c) => `0 ${size} ${c}`)),
      ...[1, 256, 65536].flatMap((size) => PEERS.map((c) => `${delayMs} ${size} ${c}`)),
    ].sort();
    expect(keys).toEqual(expected);
    for (const r of results) {
      expect([r.spec.contender, r.error, r.verified]).toEqual([r.spec.contender, undefined, true]);
      expect(r.readsPerSecond).toBeGreaterThan(0);
    }
  });

  test("the proxy carries every peer's traffic: N in flight cannot beat N per round trip of 2 x delay", () => {
    for (const r of results.filter((r) => r.spec.delayMs === delayMs)) expect(r.readsPerSecond).toBeLessThan((inFlight * 1000) / (2 * delayMs));
  });

  test('the charts put the peers in a panel of their own, and the latency bound beside them', () => {
    const hot = readFileSync(join(out, 'hot-random.svg'), 'utf8');
    expect(hot).toContain('over the network: greens = netfs, warm colours and greys = the peers');
    for (const peer of PEERS) expect(hot).toContain(`>${peer}</text>`);
    expect(hot.match(/<path[^>]*aria-roledescription="line mark"/g) ?? []).toHaveLength(PEERS.length);
    const latency = readFileSync(join(out, 'latency-64KiB.svg'), 'utf8');
    expect(latency).toContain(`bound: ${inFlight} in flight per round trip`);
  });

  test('every server stopped by its pid, and no sshfs mount is left', () => {
    const pids = [...run.stdout.matchAll(/\(pid (\d+)\) on 127\.0\.0\.1/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('mfio-bench-sshfs-');
  });
});

describe('mfio-bench without --peers', () => {
  test('says the peers were left out and why, and runs the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-nopeers-'));
    try {
      const run = bench([
        ...['--file', join(dir, 'sample.bin'), '--file-size', '1', '--sizes', '4k', '--patterns', 'random', '--time', '10', '--reads', '64'],
        ...['--contenders', 'node:readSync,smb', '--latency', 'none', '--out', join(dir, 'out')],
      ]);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^peers \(smb, nfs, sshfs, http:range:N\) left out: .*\(minutes\); --peers or --full include them$/m);
      const results = (JSON.parse(readFileSync(join(dir, 'out', 'latest.json'), 'utf8')) as { results: Result[] }).results;
      expect(results.map((r) => r.spec.contender)).toEqual(['node:readSync']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--help names --peers', () => {
    expect(bench(['--help']).stdout).toMatch(/--peers {2,}the real network filesystems too/);
  });
});
