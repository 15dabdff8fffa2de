// The built package under Bun and Deno, the real binaries at the versions
// scripts/install-hosts.mjs pins (from the npm registry, cached in .hosts/). A backend that cannot
// deliver completions there must say so and why, never kill or hang the process; build() must
// pick one that works, and an idle runtime must let the host exit.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_ORDER, type BackendName } from '../src/index.js';
import { currentHost } from '../src/backends/host.js';
import { chooseDelivery } from '../src/backends/delivery.js';
import { hostCommand } from '../scripts/host-command.cjs';

const packageRoot = join(__dirname, '..');
const linux = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
/** Only a hang reaches this: a probe takes well under a second here. */
const PROBE_TIMEOUT_MS = 60_000;
const SIZE = 100_000;

type HostLabel = 'bun' | 'deno';

/** What each host makes of each backend: all but IOCP run, completions through a thread-safe function. */
const EXPECTED: Record<HostLabel, { built: BackendName; unavailable: Partial<Record<BackendName, RegExp>> }> = {
  bun: { built: 'io_uring', unavailable: { iocp: /only on Windows/ } },
  deno: { built: 'io_uring', unavailable: { iocp: /only on Windows/ } },
};

/** How each host runs the probe, an ES module importing @mfio/rt (the package itself, built). */
function command(host: HostLabel, binary: string, args: string[]): { argv: string[]; env: NodeJS.ProcessEnv } {
  // The builder's own choice is under test: nothing restricts or replaces the backends.
  const { MFIO_FS_BACKENDS: _backends, MFIO_ADDON: _addon, MFIO_DELIVERY: _delivery, ...env } = process.env;
  return hostCommand(host, binary, args, env);
}

/** Run `argv` to its end or until the timeout kills it; the output and how it ended. */
async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: string | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd: packageRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (data) => (output += data));
  child.stderr.on('data', (data) => (output += data));
  const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  clearTimeout(timer);
  return { code, signal, output, ms: Date.now() - started };
}

interface Step {
  step: string;
  name?: BackendName;
  ok?: boolean;
  code?: string;
  message?: string;
  skipped?: Array<{ name: BackendName; code: string }>;
  delivery?: string;
  base64?: string;
  head?: number;
}

function steps(output: string): Step[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Step);
}

(linux ? describe : describe.skip)('on Bun and Deno (real binaries from the npm registry)', () => {
  let binaries: Record<HostLabel, string>;

  beforeAll(() => {
    // Fails (never skips) with npm's own words when the registry or the platform cannot serve them.
    const install = spawnSync(process.execPath, [join(packageRoot, 'scripts', 'install-hosts.mjs')], {
      encoding: 'utf8',
      timeout: 280_000,
      killSignal: 'SIGKILL',
    });
    if (install.status !== 0) {
      throw new Error(
        `scripts/install-hosts.mjs could not install Bun and Deno (${install.error?.message ?? `exit ${install.status ?? install.signal}`}):\n${install.stdout}${install.stderr}`,
      );
    }
    binaries = JSON.parse(install.stdout.trim().split('\n').pop()!) as Record<HostLabel, string>;
  }, 300_000);

  describe.each(['bun', 'deno'] as const)('%s', (host) => {
    let dir: string;
    let payload: Buffer;
    let result: Awaited<ReturnType<typeof run>>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `mfio-${host}-`));
      payload = randomBytes(SIZE);
      writeFileSync(join(dir, 'input.bin'), payload);
      const { argv, env } = command(host, binaries[host], [join(__dirname, 'fixtures', 'foreign-host-probe.mjs'), dir, String(SIZE)]);
      result = await run(argv, env);
    }, PROBE_TIMEOUT_MS + 10_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('the process exits by itself, with 0, after closing one runtime and leaving one idle', () => {
      expect({ code: result.code, signal: result.signal, output: result.output }).toEqual({ code: 0, signal: null, output: expect.any(String) });
      expect(result.ms).toBeLessThan(PROBE_TIMEOUT_MS);
      expect(steps(result.output).map((step) => step.step)).toEqual(['each', 'each', 'each', 'each', 'built', 'read', 'closed', 'idle']);
    });

    test('buildEach() lists every backend: the ones that cannot work here with the reason', () => {
      const each = steps(result.output).filter((step) => step.step === 'each');
      expect(each.map((step) => step.name)).toEqual([...BACKEND_ORDER]);
      for (const step of each) {
        const reason = EXPECTED[host].unavailable[step.name!];
        if (reason === undefined) {
          expect(step).toEqual({ step: 'each', name: step.name, ok: true });
        } else {
          expect(step).toMatchObject({ ok: false, code: 'ERR_MFIO_BACKEND_UNAVAILABLE' });
          expect(step.message).toMatch(reason);
        }
      }
    });

    test('build() picks a backend that works, says which it passed over, and delivers through a thread-safe function', () => {
      const built = steps(result.output).find((step) => step.step === 'built');
      const passedOver = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(EXPECTED[host].built));
      expect(built).toEqual({
        step: 'built',
        name: EXPECTED[host].built,
        skipped: passedOver.map((name) => ({ name, code: 'ERR_MFIO_BACKEND_UNAVAILABLE' })),
        delivery: 'tsfn',
      });
    });

    test('readAt returns the file, and writeAllAt writes it back, through that backend', () => {
      const read = steps(result.output).find((step) => step.step === 'read');
      expect(Buffer.from(read?.base64 ?? '', 'base64').equals(payload)).toBe(true);
      expect(readFileSync(join(dir, 'output.bin')).equals(payload)).toBe(true);
    });
  });
});

describe('host detection and the delivery path', () => {
  test('under Node: the host is Node, and the native backends use libuv handles', () => {
    expect(currentHost()).toEqual({ name: 'node', version: process.versions.node });
    expect(chooseDelivery('io_uring', currentHost(), {})).toMatchObject({ path: 'uv' });
    expect(chooseDelivery('threadpool', currentHost(), {})).toMatchObject({ path: 'uv' });
  });

  test('Bun and Deno get a thread-safe function, with the reason naming the host and its version', () => {
    expect(chooseDelivery('io_uring', { name: 'bun', version: '1.9.0' }, {})).toEqual({
      path: 'tsfn',
      reason: expect.stringMatching(/^Bun 1\.9\.0 has no libuv loop/),
    });
    expect(chooseDelivery('threadpool', { name: 'deno', version: '2.10.0' }, {})).toEqual({ path: 'tsfn', reason: expect.stringMatching(/^Deno 2\.10\.0 /) });
    expect(chooseDelivery('iocp', { name: 'node', version: '20.0.0' }, {})).toMatchObject({ path: 'tsfn' });
  });

  test('MFIO_DELIVERY forces a path; uv off Node is refused with the reason; other values are invalid', () => {
    const node = { name: 'node', version: '20.0.0' } as const;
    expect(chooseDelivery('io_uring', node, { MFIO_DELIVERY: 'tsfn' })).toEqual({ path: 'tsfn', reason: 'MFIO_DELIVERY=tsfn' });
    expect(() => chooseDelivery('io_uring', { name: 'bun', version: '1.4.5' }, { MFIO_DELIVERY: 'uv' })).toThrow(
      expect.objectContaining({ code: 'ERR_MFIO_BACKEND_UNAVAILABLE', message: expect.stringContaining('Bun 1.4.5 has no libuv loop') }),
    );
    expect(() => chooseDelivery('io_uring', node, { MFIO_DELIVERY: 'poll' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: "MFIO_DELIVERY must be 'uv' or 'tsfn'; received 'poll'" }),
    );
  });
});
