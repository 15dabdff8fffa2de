/**
 * The native backends on each JavaScript runtime beside that runtime's own file API, in one run
 * per runtime: random 4 KiB reads of a file in the page cache, 64 in flight.
 *
 *   node apps/bench/dist/hosts-bench.js [--repeat N] [--time MS] [--file-size MiB]
 *
 * On Node it makes the sample file, installs Bun and Deno at the versions @mfio/rt pins
 * (packages/mfio-rt/scripts/install-hosts.mjs, from the npm registry) and runs itself under
 * Node, Bun and Deno (`--child`), then prints each runtime's table: reads/s, and the ratio to the
 * best contender of that runtime. Contenders: mfio:io_uring:readAt (one promise per read, 64 at a
 * time, a reused buffer each) and mfio:io_uring:readMany (batches of 64 into one buffer); the
 * runtime's node:fs/promises (FileHandle.read, 64 at a time); on Bun `Bun.file(path).slice(a, b)
 * .arrayBuffer()`, on Deno `Deno.FsFile` seek + read (64 FsFiles: one file position each).
 * Timed with tinybench; rounds interleave the contenders and the median round counts.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { open } from 'node:fs/promises';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { NativeRt } from '@mfio/rt';

const SIZE = 4096;
const IN_FLIGHT = 64;
/** Reads per timed iteration: 16 batches of 64. */
const READS = 1024;

interface Contender {
  name: string;
  /** Read the positions, 64 in flight; returns bytes read (checked against the file). */
  run(positions: Float64Array): Promise<number>;
  close(): Promise<void>;
}

declare const Bun: { file(path: string): { slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> } }; version: string } | undefined;
declare const Deno:
  | {
      open(path: string): Promise<{ seek(offset: number, whence: number): Promise<number>; read(buffer: Uint8Array): Promise<number | null>; close(): void }>;
      SeekMode: { Start: number };
      version: { deno: string };
    }
  | undefined;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function runtimeName(): string {
  if (typeof Deno !== 'undefined') return `Deno ${Deno.version.deno}`;
  if (typeof Bun !== 'undefined') return `Bun ${Bun.version}`;
  return `Node ${process.versions.node}`;
}

/** `READS` random 4 KiB-aligned positions, new each call. */
function randomPositions(fileSize: number): Float64Array {
  const pages = fileSize / SIZE;
  const out = new Float64Array(READS);
  for (let i = 0; i < READS; i++) out[i] = Math.floor(Math.random() * pages) * SIZE;
  return out;
}

/** Keep `IN_FLIGHT` reads going over `positions`, each worker with its own state. */
async function windowed<T>(positions: Float64Array, state: (worker: number) => T, read: (state: T, position: number) => Promise<number>): Promise<number> {
  let next = 0;
  let total = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, worker) => {
      const own = state(worker);
      while (next < positions.length) {
        const n = await read(own, positions[next++]!);
        total += n; // after the await: `total += await …` would add to a stale total
      }
    }),
  );
  return total;
}

async function contenders(path: string): Promise<Contender[]> {
  const out: Contender[] = [];
  const rt = NativeRt.builder().ioUring().build();
  const delivery = rt.diagnostics().delivery?.path ?? '?';
  const file = await rt.open(path);
  const buffers = Array.from({ length: IN_FLIGHT }, () => Buffer.alloc(SIZE));
  out.push({
    name: `mfio:io_uring:readAt (${delivery})`,
    run: (positions) =>
      windowed(
        positions,
        (w) => buffers[w]!,
        (buffer, position) => file.readAt(position, buffer),
      ),
    close: async () => undefined,
  });
  const into = Buffer.alloc(IN_FLIGHT * SIZE);
  out.push({
    name: `mfio:io_uring:readMany (${delivery})`,
    async run(positions) {
      let total = 0;
      for (let start = 0; start < positions.length; start += IN_FLIGHT) {
        const result = await file.readMany({ positions: positions.subarray(start, start + IN_FLIGHT), lengths: SIZE }, { into });
        for (let i = 0; i < result.lengths.length; i++) total += result.lengths[i]!;
      }
      return total;
    },
    close: async () => {
      await file.close();
      await rt.close();
    },
  });
  const handle = await open(path);
  out.push({
    name: 'node:fs/promises FileHandle.read',
    run: (positions) =>
      windowed(
        positions,
        (w) => buffers[w]!,
        async (buffer, position) => (await handle.read(buffer, 0, SIZE, position)).bytesRead,
      ),
    close: () => handle.close(),
  });
  if (typeof Bun !== 'undefined') {
    const bunFile = Bun.file(path);
    out.push({
      name: 'Bun.file().slice().arrayBuffer()',
      run: (positions) =>
        windowed(
          positions,
          () => null,
          async (_, position) => (await bunFile.slice(position, position + SIZE).arrayBuffer()).byteLength,
        ),
      close: async () => undefined,
    });
  }
  if (typeof Deno !== 'undefined') {
    const files = await Promise.all(Array.from({ length: IN_FLIGHT }, () => Deno.open(path)));
    out.push({
      name: 'Deno.FsFile seek + read',
      run: (positions) =>
        windowed(
          positions,
          (w) => ({ file: files[w]!, buffer: buffers[w]! }),
          async ({ file: f, buffer }, position) => {
            await f.seek(position, Deno.SeekMode.Start);
            return (await f.read(buffer)) ?? 0;
          },
        ),
      close: async () => files.forEach((f) => f.close()),
    });
  }
  return out;
}

/** Under one runtime: every contender, `repeat` interleaved rounds; prints one RESULT line. */
async function child(path: string, fileSize: number, repeat: number, timeMs: number): Promise<void> {
  const all = await contenders(path);
  const rates = new Map<string, number[]>(all.map((c) => [c.name, []]));
  for (const c of all) {
    // Each reads back what the file holds: a contender that reads short is refused, not timed.
    const bytes = await c.run(randomPositions(fileSize));
    if (bytes !== READS * SIZE) throw new Error(`${c.name} read ${bytes} bytes, expected ${READS * SIZE}`);
  }
  for (let round = 0; round < repeat; round++) {
    for (const c of all) {
      const bench = new Bench({ time: timeMs, warmupIterations: 2 });
      bench.add(c.name, async () => {
        await c.run(randomPositions(fileSize));
      });
      await bench.run();
      const result = bench.tasks[0]?.result;
      if (!result || !('latency' in result)) throw new Error(`${c.name}: no measurement: ${JSON.stringify(result)}`);
      rates.get(c.name)!.push(READS / (result.latency.mean / 1000));
    }
  }
  for (const c of all) await c.close();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `RESULT ${JSON.stringify({ runtime: runtimeName(), rates: all.map((c) => ({ name: c.name, readsPerSecond: median(rates.get(c.name)!), rounds: rates.get(c.name)! })) })}`,
  );
}

interface RuntimeResult {
  runtime: string;
  rates: Array<{ name: string; readsPerSecond: number; rounds: number[] }>;
}

/** On Node: the file, the hosts, one child per runtime, the tables. */
async function main(): Promise<void> {
  const fileMiB = arg('--file-size', 64);
  const repeat = arg('--repeat', 5);
  const timeMs = arg('--time', 300);
  const here = fileURLToPath(import.meta.url);
  const rtRoot = dirname(createRequire(here).resolve('@mfio/rt/package.json'));
  const install = spawnSync(process.execPath, [join(rtRoot, 'scripts', 'install-hosts.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (install.status !== 0) throw new Error(`install-hosts.mjs failed: ${install.stdout}`);
  const binaries = JSON.parse(install.stdout.trim().split('\n').pop()!) as { bun: string; deno: string };
  // @mfio/rt's own recipe for running a script under Bun or Deno (CommonJS).
  const { hostCommand } = createRequire(here)(join(rtRoot, 'scripts', 'host-command.cjs')) as {
    hostCommand: (host: string, binary: string, args: string[]) => { argv: string[]; env: NodeJS.ProcessEnv };
  };

  const dir = mkdtempSync(join(tmpdir(), 'mfio-hosts-bench-'));
  try {
    const path = join(dir, 'sample.bin');
    const data = Buffer.alloc(fileMiB << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(path, data);
    readFileSync(path); // in the page cache: every case is hot
    const args = [here, '--child', path, String(data.length), String(repeat), String(timeMs)];
    const runs: Array<{ label: string; argv: string[]; env: NodeJS.ProcessEnv }> = [
      { label: 'node', argv: [process.execPath, ...args], env: process.env },
      ...(['bun', 'deno'] as const).map((host) => ({ label: host, ...hostCommand(host, binaries[host], args) })),
    ];
    for (const run of runs) {
      const child = spawnSync(run.argv[0]!, run.argv.slice(1), {
        cwd: dirname(dirname(here)),
        env: run.env,
        encoding: 'utf8',
        timeout: 120_000,
        killSignal: 'SIGKILL',
      });
      const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line === undefined) {
        console.log(`\n${run.label}: no result (${child.error?.message ?? `exit ${child.status ?? child.signal}`})\n${child.stdout}${child.stderr}`);
        continue;
      }
      const result = JSON.parse(line.slice('RESULT '.length)) as RuntimeResult;
      const best = Math.max(...result.rates.map((r) => r.readsPerSecond));
      console.log(`\n${result.runtime}: random 4 KiB, hot, ${IN_FLIGHT} in flight, median of ${repeat} rounds`);
      console.log('| contender | reads/s | × best |\n|---|---:|---:|');
      for (const r of result.rates)
        console.log(`| ${r.name} | ${Math.round(r.readsPerSecond).toLocaleString('en-US')} | ${(r.readsPerSecond / best).toFixed(2)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) {
  const at = process.argv.indexOf('--child');
  const [path, size, repeat, time] = process.argv.slice(at + 1);
  await child(path!, Number(size), Number(repeat), Number(time));
  process.exit(0);
} else {
  await main();
}
