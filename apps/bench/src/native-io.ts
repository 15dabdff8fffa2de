/**
 * io-bench's C++ ring (apps/bench/native/uring_io.cc): random direct reads and random overwrites
 * through the addon's own io_uring code with no JavaScript, built on demand like the main bench's
 * baseline (native-baseline.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRingProgram, ringProgram } from './native-baseline.js';

const binary = ringProgram('uring_io');

/** What one run of the program did: operations completed, those short or failed, its seconds. */
export interface NativeIoRun {
  ops: number;
  failed: number;
  seconds: number;
}

/** Build the program and check that this process may set up a ring; undefined, or why not. */
export function nativeIoUnavailable(): string | undefined {
  const unbuilt = buildRingProgram('uring_io');
  if (unbuilt !== undefined) return unbuilt;
  const probe = spawnSync(binary, ['probe'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return parse(probe.stdout, probe.stderr).error ?? `exit status ${probe.status}`;
}

function parse(stdout: string, stderr: string): Partial<NativeIoRun> & { error?: string } {
  try {
    return JSON.parse(stdout.trim()) as Partial<NativeIoRun> & { error?: string };
  } catch {
    return { error: stderr.trim() || 'no output' };
  }
}

function run(args: string[]): NativeIoRun {
  const result = spawnSync(binary, args, { encoding: 'utf8' });
  const out = parse(result.stdout, result.stderr);
  if (out.error !== undefined || out.ops === undefined || out.failed === undefined || out.seconds === undefined) {
    throw new Error(`uring_io ${args[0]}: ${out.error ?? result.stderr}`);
  }
  return { ops: out.ops, failed: out.failed, seconds: out.seconds };
}

/** `size`-byte reads at random aligned positions of `path` with O_DIRECT, `depth` in flight. */
export function nativeDirectReads(path: string, size: number, depth: number, timeMs: number, seed: number): NativeIoRun {
  return run(['read', path, String(size), String(depth), String(timeMs / 1000), String(seed)]);
}

/**
 * `size`-byte records (`fill`, `stamp` as a float64 in the first 8 bytes) written at the blocks of
 * `order` in turn, `depth` in flight, buffered or with O_DIRECT.
 */
export function nativeOverwrites(
  path: string,
  options: { size: number; depth: number; timeMs: number; order: readonly number[]; stamp: number; fill: number; direct: boolean },
): NativeIoRun {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-io-bench-'));
  try {
    const orderFile = join(dir, 'order.bin');
    writeFileSync(orderFile, Buffer.from(Uint32Array.from(options.order).buffer));
    const { size, depth, timeMs, stamp, fill, direct } = options;
    return run(['write', path, String(size), String(depth), String(timeMs / 1000), orderFile, String(stamp), String(fill), direct ? 'direct' : 'buffered']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
