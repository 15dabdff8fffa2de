/**
 * The bench end to end: the built CLI on small generated files with a few contenders (Node's
 * sync and promise reads, two mfio backends; then netfs and HTTP through the delay proxy) and
 * short cases, in seconds; then its JSON, Markdown and SVG outputs.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const appRoot = join(__dirname, '..');
const cli = join(appRoot, 'dist', 'cli.js');

interface Result {
  spec: { contender: string; pattern: string; size: number; cache: string };
  verified: boolean;
  readsPerSecond: number;
  mibPerSecond: number;
  rme: number;
  error?: string;
}

function bench(args: string[]): SpawnSyncReturns<string> {
  // Bounded, but far above the ~20 s a run takes alone: in CI it shares two cores with the other
  // packages' suites (two Ceph clusters among them), and a run took over 90 s there.
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 300_000 });
}

/** Every text node of a parsed XML tree (legend labels, titles, axis labels). */
function texts(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string' || typeof node === 'number') out.push(String(node));
  else if (Array.isArray(node)) node.forEach((child) => texts(child, out));
  else if (node !== null && typeof node === 'object') Object.entries(node).forEach(([key, child]) => !key.startsWith('@_') && texts(child, out));
  return out;
}

describe('mfio-bench CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-test-'));
  const out = join(dir, 'results');
  const sample = join(dir, 'sample.bin');
  const patterns = ['random', 'sequential'];
  const sizes = [1, 4096];
  const caches = ['hot', 'cold'];
  const charts = caches.flatMap((k) => patterns.map((p) => `${k}-${p}.svg`));
  let run: SpawnSyncReturns<string>;

  beforeAll(() => {
    run = bench([
      ...['--file', sample, '--file-size', '4', '--patterns', patterns.join(','), '--sizes', '1,4k', '--cache', caches.join(',')],
      ...['--time', '20', '--reads', '128', '--in-flight', '16', '--latency', 'none', '--out', out],
      ...['--contenders', 'node:readSync,node:promises,mfio:io_uring:readMany,mfio:libuv:readAt'],
    ]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('exits 0, generated the sample file and printed one plain progress line per case and the table', () => {
    expect(run.stderr).not.toMatch(/FAILED|Error/);
    expect(run.status).toBe(0);
    expect(statSync(sample).size).toBe(4 << 20);
    expect(run.stdout).toMatch(/^\[ ?1\/\d+\] hot random 1 B node:readSync: [\d,]+ reads\/s$/m);
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).toMatch(/hot cache, sequential, 4 KiB reads, 16 in flight\n\s+contender\s+reads\/s\s+MiB\/s\s+spread\s+vs node:promises\s+check/);
  });

  test('latest.json names the machine and has every case, each verified', () => {
    const data = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { machine: Record<string, unknown>; results: Result[] };
    expect(Object.keys(data.machine)).toEqual(expect.arrayContaining(['cpu', 'cores', 'kernel', 'node']));
    expect(data.machine.node).toBe(process.version);
    const contenders = [...new Set(data.results.map((r) => r.spec.contender))];
    expect(contenders).toEqual(expect.arrayContaining(['node:readSync', 'node:promises']));
    expect(contenders.some((c) => c.startsWith('mfio:'))).toBe(true);
    // Substrings select: `mfio:io_uring:readMany` keeps its `:plain` and `:tsfn` twins too, in
    // report order (the twins on the other delivery path come after every backend's own).
    expect(contenders.filter((c) => c.startsWith('mfio:'))).toEqual(
      ['mfio:io_uring:readMany', 'mfio:io_uring:readMany:plain', 'mfio:libuv:readAt', 'mfio:libuv:readAt:plain', 'mfio:io_uring:readMany:tsfn'].filter((c) =>
        contenders.includes(c),
      ),
    );
    expect(
      contenders.every((c) => /^(node:(readSync|promises(\+UV_USE_IO_URING)?)|mfio:io_uring:readMany(:plain|:tsfn)?|mfio:libuv:readAt(:plain)?)$/.test(c)),
    ).toBe(true);
    // Every contender ran every case: the full cross product, once each.
    const keys = data.results.map((r) => `${r.spec.cache} ${r.spec.pattern} ${r.spec.size} ${r.spec.contender}`);
    const expected = caches.flatMap((k) => patterns.flatMap((p) => sizes.flatMap((s) => contenders.map((c) => `${k} ${p} ${s} ${c}`))));
    expect([...keys].sort()).toEqual([...expected].sort());
    for (const r of data.results) {
      expect({ contender: r.spec.contender, error: r.error, verified: r.verified }).toEqual({ contender: r.spec.contender, error: undefined, verified: true });
      expect(r.readsPerSecond).toBeGreaterThan(0);
      expect(r.mibPerSecond).toBeCloseTo((r.readsPerSecond * r.spec.size) / (1 << 20), 6);
    }
  });

  test('a dated copy of the JSON goes to history/, apart from the latest set', () => {
    const history = readdirSync(join(out, 'history'));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
  });

  test('latest.md names the machine and links one existing SVG chart per cache mode and pattern', () => {
    const md = readFileSync(join(out, 'latest.md'), 'utf8');
    expect(md).toMatch(/Machine: cpu .+, cores \d+, .*kernel \S+ \S+, node v\d+/);
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1]);
    expect(links).toEqual(charts);
    const svgs = readdirSync(out).filter((f) => f.endsWith('.svg'));
    expect(svgs.sort()).toEqual([...links].sort());
    expect(md).toMatch(/\| node:promises \| [\d,]+ \| [\d.]+ \| (±[\d.]+%)? \| 1\.00x \| ok \|/);
  });

  test('every SVG is well-formed, log-scaled and has a line per contender', () => {
    const data = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { results: Result[] };
    const contenders = [...new Set(data.results.map((r) => r.spec.contender))];
    for (const file of charts) {
      const [cache, pattern] = file.slice(0, -4).split('-');
      const svg = readFileSync(join(out, file), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(XMLValidator.validate(svg)).toBe(true);
      const tree = new XMLParser({ ignoreAttributes: false }).parse(svg) as Record<string, unknown>;
      expect(Object.keys(tree)).toEqual(['svg']);
      const labels = texts(tree);
      for (const contender of contenders) expect(labels).toContain(contender);
      expect(labels).toEqual(expect.arrayContaining(['1 B', '4 KiB', 'reads/s (log scale)']));
      expect(labels.some((t) => t.startsWith(`${cache} cache, ${pattern} reads`))).toBe(true);
      // One line mark per contender.
      expect(svg.match(/<path[^>]*aria-roledescription="line mark"/g) ?? []).toHaveLength(contenders.length);
    }
  });
});

describe('mfio-bench netfs and latency mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-latency-'));
  const out = join(dir, 'results');
  const delayMs = 2;
  let run: SpawnSyncReturns<string>;
  let results: Array<Result & { spec: { delayMs?: number } }>;

  beforeAll(() => {
    run = bench([
      ...['--file', join(dir, 'sample.bin'), '--file-size', '2', '--patterns', 'random', '--sizes', '4k', '--cache', 'hot'],
      ...['--time', '20', '--reads', '128', '--in-flight', '8', '--latency', String(delayMs), '--contenders', 'netfs,http', '--out', out],
    ]);
    if (run.status === 0) results = (JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { results: typeof results }).results;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('exits 0 with a netfs server child on loopback, every case verified', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^netfs server on 127\.0\.0\.1:\d+, reading with \S+$/m);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect([r.spec.contender, r.error, r.verified]).toEqual([r.spec.contender, undefined, true]);
  });

  test('netfs reads straight from the server with readAt and readMany, each tuned and :plain', () => {
    const direct = results.filter((r) => !r.spec.delayMs).map((r) => r.spec.contender.replace(/^netfs:\w+:/, 'netfs:'));
    expect(direct).toEqual(['netfs:readAt', 'netfs:readAt:plain', 'netfs:readMany', 'netfs:readMany:plain']);
  });

  test('the latency mode runs netfs readAt and HTTP range requests (1 and 6 at a time) on 1 B, 256 B and 64 KiB', () => {
    const delayed = results.filter((r) => r.spec.delayMs === delayMs);
    const keys = delayed.map((r) => `${r.spec.size} ${r.spec.contender.replace(/^netfs:\w+:/, 'netfs:')}`);
    expect(keys.sort()).toEqual([1, 256, 65536].flatMap((s) => ['netfs:readAt', 'http:range', 'http:range:6'].map((c) => `${s} ${c}`)).sort());
  });

  test('the proxy really delays: one HTTP request at a time cannot beat one round trip of 2 x delay', () => {
    for (const r of results.filter((r) => r.spec.contender === 'http:range')) expect(r.readsPerSecond).toBeLessThan(1000 / (2 * delayMs));
  });

  test('latest.md links a chart per latency size; each is well-formed with a line per contender', () => {
    const md = readFileSync(join(out, 'latest.md'), 'utf8');
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1]!);
    expect(links).toEqual(['hot-random.svg', 'latency-1B.svg', 'latency-256B.svg', 'latency-64KiB.svg']);
    expect(md).toMatch(/### latency 2 ms each way, random, 64 KiB reads, netfs 8 in flight/);
    expect(md).toMatch(/\| http:range \| [\d,]+ \| [\d.]+ \| (±[\d.]+%)? \| 1\.00x \| ok \|/);
    for (const file of links.slice(1)) {
      const svg = readFileSync(join(out, file), 'utf8');
      expect(XMLValidator.validate(svg)).toBe(true);
      const labels = texts(new XMLParser().parse(svg));
      expect(labels).toEqual(expect.arrayContaining(['http:range', 'http:range:6', 'added one-way delay (ms, log scale)']));
      expect(labels.some((t) => /^netfs:\w+:readAt$/.test(t))).toBe(true);
      expect(svg.match(/<path[^>]*aria-roledescription="line mark"/g) ?? []).toHaveLength(3);
    }
  });
});

/** The backends that start here, as the bench sees them (a child importing the built runtime). */
function startedBackends(): string[] {
  const script =
    "import { NativeRt } from '@mfio/rt'; const each = NativeRt.builder().enableAll().buildEach(); for (const r of each) void r.rt?.close();" +
    ' console.log(JSON.stringify(each.flatMap((r) => (r.rt ? [r.name] : []))));';
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: appRoot, encoding: 'utf8' });
  return JSON.parse(run.stdout) as string[];
}

describe('mfio-bench :plain contenders (the code users write)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-plain-'));
  const out = join(dir, 'results');
  let run: SpawnSyncReturns<string>;

  beforeAll(() => {
    run = bench([
      ...['--file', join(dir, 'sample.bin'), '--file-size', '2', '--patterns', 'random', '--sizes', '4k', '--cache', 'hot'],
      ...['--time', '10', '--reads', '64', '--in-flight', '8', '--latency', 'none', '--contenders', ':plain', '--out', out],
    ]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every backend that starts has readAt:plain and readMany:plain, netfs too; each read checked', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const backends = startedBackends();
    expect(backends.length).toBeGreaterThan(0);
    const results = (JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { results: Result[] }).results;
    const expected = [
      ...backends.flatMap((b) => [`mfio:${b}:readAt:plain`, `mfio:${b}:readMany:plain`]),
      ...[`netfs:${backends[0]}:readAt:plain`, `netfs:${backends[0]}:readMany:plain`],
    ];
    expect(results.map((r) => r.spec.contender)).toEqual(expected);
    for (const r of results) expect([r.spec.contender, r.error, r.verified]).toEqual([r.spec.contender, undefined, true]);
  });

  test('the table and latest.md say what :plain means', () => {
    expect(run.stdout).toMatch(/^:plain ones are the code users write: await handle\.readAt\(position, size\) \(a new Buffer per read\)/m);
    expect(readFileSync(join(out, 'latest.md'), 'utf8')).toMatch(/Tuned contenders \(every one without `:plain`\) reuse page-aligned destination buffers/);
  });
});

describe('mfio-bench options', () => {
  test('--help prints the usage and exits 0', () => {
    const run = bench(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('pnpm bench --full');
    expect(run.stdout).toContain('--contenders LIST');
  });

  test('an unknown option or a bad size fails with a message and the usage', () => {
    for (const args of [['--nope'], ['--sizes', '0'], ['--patterns', 'diagonal']]) {
      const run = bench(args);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/unknown option '--nope'|size '0' out of range|unknown pattern 'diagonal'/);
      expect(run.stderr).toContain('Options:');
    }
  });

  test('a --file that exists is measured as it is, never regenerated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-file-'));
    try {
      const file = join(dir, 'mine.bin');
      const bytes = Buffer.alloc((1 << 20) + 123, 7);
      writeFileSync(file, bytes);
      const run = bench([
        '--file',
        file,
        '--file-size',
        '4',
        '--sizes',
        '256',
        '--patterns',
        'reverse',
        '--time',
        '10',
        '--reads',
        '64',
        '--contenders',
        'node:readSync',
        '--latency',
        'none',
        '--out',
        join(dir, 'out'),
      ]);
      expect(run.status).toBe(0);
      expect(readFileSync(file).equals(bytes)).toBe(true);
      const data = JSON.parse(readFileSync(join(dir, 'out', 'latest.json'), 'utf8')) as { conditions: { fileMiB: number }; results: Result[] };
      expect(data.conditions.fileMiB).toBe(1);
      expect(data.results.map((r) => [r.spec.contender, r.verified])).toEqual([['node:readSync', true]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mfio-bench output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a run whose filters match no case exits non-zero and writes no report', () => {
    const out = join(dir, 'none');
    const run = bench([...['--file', join(dir, 'sample.bin'), '--file-size', '1', '--latency', 'none', '--contenders', 'no-such-contender', '--out', out]]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no case to run: the options --contenders no-such-contender select no contender/);
    expect(existsSync(out)).toBe(false);
  });

  test('by default a run writes to bench/local, never over the committed bench/results', () => {
    const committed = join(appRoot, '..', '..', 'bench', 'results', 'latest.json');
    const before = readFileSync(committed);
    const local = join(appRoot, '..', '..', 'bench', 'local', 'latest.json');
    const started = Date.now();
    const run = bench([
      ...['--file', join(dir, 'sample.bin'), '--file-size', '1', '--patterns', 'random', '--sizes', '4k', '--cache', 'hot'],
      ...['--time', '10', '--reads', '64', '--in-flight', '8', '--latency', 'none', '--contenders', 'node:readSync'],
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readFileSync(committed).equals(before)).toBe(true);
    expect(statSync(local).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    expect(run.stdout).toContain(join('bench', 'local', 'latest.json'));
  });
});
