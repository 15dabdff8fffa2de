#!/usr/bin/env node
/**
 * mfio-bench s3: `@mfio/s3` against the AWS SDK's GetObject and plain undici range GETs, on the
 * same object in a local Ceph radosgw (started here, stopped at the end), hot (every run reads
 * the object once first), at the same concurrency:
 * - random 4 KiB reads, straight to radosgw and through the delay proxy (each --delays value
 *   one way, so a round trip costs twice it; the proxy runs in a process of its own);
 * - a clustered workload: 1,000 reads of 1-16 KiB within 4 MiB (Parquet column chunks, say).
 * Contenders take turns run by run (--repeat); the table gives each one's median and its client
 * CPU per read (this process: the cluster's daemons are others). Results: the terminal, and
 * bench/results/s3-latest.{json,md}.
 *
 * Usage: node dist/s3-bench.js [--repeat N] [--in-flight N] [--delays 5,20] [--time MS] [--contenders LIST]
 * With MFIO_S3_BENCH_ENDPOINT, _ACCESS_KEY, _SECRET_KEY set, that endpoint is used instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SeededRandom } from '@mfio/core';
import { digestOf, s3Contenders, type Read, type S3Target } from './s3-contenders.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OBJECT_SIZE = 64 << 20;

interface Options {
  repeat: number;
  inFlight: number;
  delays: number[];
  timeMs: number;
  contenders: string[];
}

function parse(argv: string[]): Options {
  const options: Options = { repeat: 3, inFlight: 64, delays: [5, 20], timeMs: 2000, contenders: [] };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1] ?? '';
    switch (argv[i]) {
      case '--repeat':
        options.repeat = Number(value);
        break;
      case '--in-flight':
        options.inFlight = Number(value);
        break;
      case '--delays':
        options.delays = value === 'none' ? [] : value.split(',').map(Number);
        break;
      case '--time':
        options.timeMs = Number(value);
        break;
      case '--contenders':
        options.contenders = value.split(',');
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (see the comment at the top of s3-bench.ts)`);
    }
    i++;
  }
  return options;
}

export interface Cluster {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/** A cluster of @mfio/s3's test support in a child, which stops it when its stdin closes. */
export async function startCluster(): Promise<Cluster> {
  const endpoint = process.env.MFIO_S3_BENCH_ENDPOINT;
  if (endpoint !== undefined) {
    return {
      endpoint,
      region: process.env.MFIO_S3_BENCH_REGION ?? 'us-east-1',
      accessKeyId: process.env.MFIO_S3_BENCH_ACCESS_KEY ?? '',
      secretAccessKey: process.env.MFIO_S3_BENCH_SECRET_KEY ?? '',
      stop: async () => undefined,
    };
  }
  const cwd = join(repoRoot, 'packages', 'mfio-s3');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/ceph-cli.ts'], { cwd, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`the Ceph cluster did not start (exit ${code})`)));
  });
  const info = JSON.parse(line) as Omit<Cluster, 'stop'> & { startSeconds: number };
  console.log(`ceph cluster up in ${info.startSeconds.toFixed(1)} s, radosgw at ${info.endpoint}`);
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolveStop) => {
        child.once('exit', () => resolveStop());
        child.stdin!.end();
      }),
  };
}

/**
 * The bench's delay proxy in a process of its own (stopped when its stdin closes): in this
 * process its timers would wait behind the contender's own work, adding that wait to every
 * round trip of every contender.
 */
export async function startDelayProxy(target: URL, delayMs: number): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const module = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'delay-proxy.js')).href;
  const script = [
    `const { DelayProxy } = await import(${JSON.stringify(module)});`,
    `const proxy = await DelayProxy.start({ host: ${JSON.stringify(target.hostname)}, port: ${Number(target.port)} }, ${delayMs});`,
    'console.log(proxy.address().port);',
    'process.stdin.on("end", () => proxy.close().then(() => process.exit(0)));',
    'process.stdin.resume();',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolvePort, reject) => {
    createInterface({ input: child.stdout }).once('line', resolvePort);
    child.once('exit', (code) => reject(new Error(`the delay proxy exited (${code})`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolveStop) => {
        child.once('exit', () => resolveStop());
        child.stdin.end();
      }),
  };
}

/** One measured run: reads per second and client CPU (µs) per read. */
interface Run {
  readsPerSecond: number;
  cpuUsPerRead: number;
  verified: boolean;
}

interface Row {
  workload: string;
  contender: string;
  runs: Run[];
}

function randomReads(random: SeededRandom, count: number, size: number): Read[] {
  return Array.from({ length: count }, () => [random.int(OBJECT_SIZE - size), size] as const);
}

function clusteredReads(random: SeededRandom): Read[] {
  const base = random.int(OBJECT_SIZE - (4 << 20));
  return Array.from({ length: 1000 }, () => {
    const length = random.range(1024, 16384);
    return [base + random.int((4 << 20) - length), length] as const;
  });
}

function expectedDigest(data: Buffer, reads: readonly Read[]): number {
  let sum = 0;
  for (const [position, length] of reads) sum += digestOf(data.subarray(position, position + length));
  return sum;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const loadBefore = loadavg()[0]!;
  const contenders = s3Contenders().filter((c) => options.contenders.length === 0 || options.contenders.some((f) => c.name.includes(f)));
  const data = Buffer.from(new SeededRandom(7).bytes(OBJECT_SIZE));
  const cluster = await startCluster();
  const proxies: Array<{ stop(): Promise<void> }> = [];
  const rows: Row[] = [];
  try {
    const bucket = `mfio-bench-${Date.now().toString(36)}`;
    const sdk = new S3Client({
      endpoint: cluster.endpoint,
      region: cluster.region,
      forcePathStyle: true,
      credentials: { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    // public-read: the unsigned undici contender reads it without keys.
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'sample.bin', Body: data, ContentLength: data.length, ACL: 'public-read' }));
    sdk.destroy();
    const direct = new URL(cluster.endpoint);
    const targets: Array<{ label: string; endpoint: string; rttMs: number }> = [{ label: 'direct', endpoint: cluster.endpoint, rttMs: 0 }];
    for (const delay of options.delays) {
      const proxy = await startDelayProxy(direct, delay);
      proxies.push(proxy);
      targets.push({ label: `delay ${delay} ms`, endpoint: proxy.endpoint, rttMs: 2 * delay });
    }
    const base = { bucket, key: 'sample.bin', region: cluster.region, accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretAccessKey };
    const workloads = [
      ...targets.map((t) => ({ name: `random 4 KiB, ${options.inFlight} in flight, ${t.label}`, endpoint: t.endpoint, kind: 'random' as const })),
      { name: `clustered: 1,000 reads of 1-16 KiB in 4 MiB, direct`, endpoint: cluster.endpoint, kind: 'clustered' as const },
    ];
    for (const workload of workloads) {
      const target: S3Target = { ...base, endpoint: workload.endpoint };
      const byName = new Map<string, Run[]>();
      for (let run = 0; run < options.repeat; run++) {
        for (const contender of contenders) {
          // readMany:whole is for the clustered workload (one batch of everything); the batched one for random.
          if (contender.name === 's3:readMany:whole' && workload.kind !== 'clustered') continue;
          const session = await contender.open(target, options.inFlight);
          try {
            const random = new SeededRandom(1000 + run);
            await session.run(randomReads(random, options.inFlight, 4096)); // warm: connections, JIT
            let reads = 0;
            let verified = true;
            const cpu = process.cpuUsage();
            const started = performance.now();
            do {
              const list = workload.kind === 'random' ? randomReads(random, 8 * options.inFlight, 4096) : clusteredReads(random);
              const digest = await session.run(list);
              verified &&= digest === expectedDigest(data, list);
              reads += list.length;
            } while (performance.now() - started < options.timeMs);
            const seconds = (performance.now() - started) / 1000;
            const used = process.cpuUsage(cpu);
            const result: Run = { readsPerSecond: reads / seconds, cpuUsPerRead: (used.user + used.system) / reads, verified };
            byName.set(contender.name, [...(byName.get(contender.name) ?? []), result]);
            process.stdout.write(`  ${workload.name} | ${contender.name}: ${result.readsPerSecond.toFixed(0)} reads/s${verified ? '' : ' (WRONG BYTES)'}\n`);
          } finally {
            await session.close();
          }
        }
      }
      for (const [contender, runs] of byName) rows.push({ workload: workload.name, contender, runs });
    }
  } finally {
    for (const proxy of proxies) await proxy.stop();
    await cluster.stop();
  }
  report(rows, options, [loadBefore, loadavg()[0]!]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The table (ratios against the SDK and plain undici of the same workload), as Markdown and JSON. */
function report(rows: Row[], options: Options, load: [number, number]): void {
  const lines = [
    `| workload | contender | reads/s (median of ${options.repeat}) | min-max | client CPU µs/read | × sdk | × undici |`,
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const rate = median(row.runs.map((r) => r.readsPerSecond));
    const of = (name: string): number | undefined => {
      const other = rows.find((r) => r.workload === row.workload && r.contender === name);
      return other === undefined ? undefined : median(other.runs.map((r) => r.readsPerSecond));
    };
    const sdk = of('sdk:GetObject');
    const plain = of('undici:range');
    const rates = row.runs.map((r) => r.readsPerSecond);
    lines.push(
      `| ${row.workload} | ${row.contender}${row.runs.every((r) => r.verified) ? '' : ' (WRONG BYTES)'} | ${rate.toFixed(0)} | ${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)} | ${median(row.runs.map((r) => r.cpuUsPerRead)).toFixed(0)} | ${sdk ? (rate / sdk).toFixed(2) : '-'} | ${plain ? (rate / plain).toFixed(2) : '-'} |`,
    );
  }
  const table = lines.join('\n');
  console.log(`\n${table}`);
  const out = join(repoRoot, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const conditions = [
    `\`node apps/bench/dist/s3-bench.js --repeat ${options.repeat} --time ${options.timeMs}\`: contenders take turns, each run`,
    `${options.timeMs} ms, the median of ${options.repeat}; client CPU is this process's (user + system) per read, the`,
    "cluster's daemons are not in it. Client and server share the machine's cores; its load average",
    `(1 min) was ${load[0].toFixed(1)} at the start and ${load[1].toFixed(1)} at the end.`,
  ].join('\n');
  writeFileSync(join(out, 's3-latest.md'), `# @mfio/s3 against the AWS SDK and plain undici (Ceph radosgw on 127.0.0.1)\n\n${conditions}\n\n${table}\n`);
  writeFileSync(join(out, 's3-latest.json'), JSON.stringify({ options, loadAverage: load, rows }, null, 2));
  console.log(`\nwrote ${join(out, 's3-latest.md')}, ${join(out, 's3-latest.json')}`);
  if (rows.some((r) => r.runs.some((run) => !run.verified))) process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
