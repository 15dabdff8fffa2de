/**
 * io-bench's native baselines, built on demand like the main bench's (native-baseline.ts): the
 * C++ ring (apps/bench/native/uring_io.cc), random direct reads and random overwrites through the
 * addon's own io_uring code with no JavaScript; and the durable appenders as plain threads
 * (apps/bench/native/append_sync.cc), pwrite and fdatasync with no ring.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRingProgram, ringProgram } from './native-baseline.js';

const binary = ringProgram('uring_io');
const appendBinary = ringProgram('append_sync');

/** What one run of the program did: operations completed, those short or failed, its seconds. */
export interface NativeIoRun {
  ops: number;
  failed: number;
  seconds: number;
}

/** Build the program and check that this process may set up a ring; undefined, or why not. */
export function nativeIoUnavailable(): string | undefined {
  const unbuilt = buildRingProgram('uring_io') ?? buildRingProgram('append_sync');
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

function run(args: string[], program = binary): NativeIoRun {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  const out = parse(result.stdout, result.stderr);
  if (out.error !== undefined || out.ops === undefined || out.failed === undefined || out.seconds === undefined) {
    throw new Error(`${program} ${args[0]}: ${out.error ?? result.stderr}`);
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

/**
 * `writers` threads appending `size`-byte records to `path` (truncated first), each record durable
 * before its writer's next: each writer calling fdatasync itself (`own`), or one flusher thread
 * running fdatasync back to back for them (`group`). Record i is io-bench's record(seed * 1e6 + i, fill).
 */
export function nativeAppends(
  path: string,
  options: { size: number; writers: number; timeMs: number; seed: number; fill: number; flush: 'own' | 'group' },
): NativeIoRun {
  const { size, writers, timeMs, seed, fill, flush } = options;
  return run([path, String(size), String(writers), String(timeMs / 1000), String(seed), String(fill), flush], appendBinary);
}
