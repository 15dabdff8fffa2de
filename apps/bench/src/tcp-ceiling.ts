/**
 * The loopback TCP ceiling for a file server on this machine (native/tcp_ceiling.c): random reads
 * of 4 KiB and 64 KiB from the page cache, read locally with pread (`local`), and streamed over
 * one TCP connection on 127.0.0.1 by a C server that copies them (`copy`: pread, then writev) or
 * splices them (`splice`), to a C client that copies each read out to a destination. No requests
 * flow back, so `splice` bounds what any file-server protocol can carry over one connection here,
 * netfs included. Modes take turns run by run (--repeat); the table gives each one's median.
 *
 * Usage: node dist/tcp-ceiling.js [--repeat N] [--file PATH] [--out DIR]   (paths relative to the
 * repository root: pnpm runs the script in apps/bench)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureSampleFile } from './sample-file.js';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(appRoot, '..', '..');
const source = join(appRoot, 'native', 'tcp_ceiling.c');
const binary = join(appRoot, 'build', 'tcp_ceiling');
const MODES = ['local', 'copy', 'splice'] as const;
const SIZES = [4096, 65536];

interface Run {
  mode: string;
  size: number;
  readsPerSecond: number;
  serverCpuMicros?: number;
  clientCpuMicros?: number;
}

function build(): void {
  if (existsSync(binary) && statSync(source).mtimeMs <= statSync(binary).mtimeMs) return;
  mkdirSync(dirname(binary), { recursive: true });
  const result = spawnSync('cc', ['-O2', '-Wall', source, '-o', binary, '-lpthread'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cc failed: ${result.stderr || result.error?.message}`);
}

function run(file: string, mode: string, size: number): Run {
  // About a second of work at the speeds seen here.
  const reads = size >= 65536 ? 60_000 : 200_000;
  const result = spawnSync(binary, [file, String(size), String(reads), mode], { encoding: 'utf8' });
  const out = JSON.parse(result.stdout.trim() || '{"error":"no output"}') as Run & { error?: string };
  if (out.error !== undefined) throw new Error(`tcp_ceiling ${mode} ${size}: ${out.error}`);
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  if (process.platform !== 'linux') throw new Error('the ceiling uses splice(2): Linux only');
  const { values } = parseArgs({
    options: { repeat: { type: 'string', default: '3' }, file: { type: 'string' }, out: { type: 'string', default: join('bench', 'local') } },
  });
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer, not ${values.repeat}`);
  const file = resolve(repoRoot, values.file ?? join('bench', 'data', 'sample-1024MiB.bin'));
  ensureSampleFile(file, 1 << 30);
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] }); // hot: in the page cache
  build();
  const load = loadavg()[0]!.toFixed(1);
  const runs = new Map<string, Run[]>();
  for (let i = 0; i < repeat; i++) {
    for (const size of SIZES) {
      for (const mode of MODES) {
        const result = run(file, mode, size);
        const key = `${mode} ${size}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        console.log(`[${i + 1}/${repeat}] ${mode} ${size / 1024} KiB: ${Math.round(result.readsPerSecond).toLocaleString('en-US')} reads/s`);
      }
    }
  }
  const lines = [
    '# Loopback TCP ceiling for a file server',
    '',
    `${new Date().toISOString()}. ${relative(repoRoot, file)}, hot, random reads; ${repeat} runs per mode, median; load average ${load} at the start.`,
    `Command: \`pnpm --filter @mfio/bench bench:tcp-ceiling --repeat ${repeat} --out ${relative(repoRoot, resolve(repoRoot, values.out))}\`. What each mode does: apps/bench/native/tcp_ceiling.c.`,
    '',
    '| size | mode | reads/s | vs local | server CPU µs/read | client CPU µs/read |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const size of SIZES) {
    const local = median(runs.get(`local ${size}`)!.map((r) => r.readsPerSecond));
    for (const mode of MODES) {
      const all = runs.get(`${mode} ${size}`)!;
      const rate = median(all.map((r) => r.readsPerSecond));
      const cpu = (pick: (r: Run) => number | undefined): string => (mode === 'local' ? '' : median(all.map((r) => pick(r) ?? 0)).toFixed(1));
      lines.push(
        `| ${size / 1024} KiB | ${mode} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / local).toFixed(2)}x | ${cpu((r) => r.serverCpuMicros)} | ${cpu((r) => r.clientCpuMicros)} |`,
      );
    }
  }
  const report = lines.join('\n') + '\n';
  console.log(`\n${report}`);
  const out = resolve(repoRoot, values.out);
  mkdirSync(out, { recursive: true });
  const path = join(out, 'tcp-ceiling.md');
  writeFileSync(path, report);
  console.log(`wrote ${path}`);
}

main();
