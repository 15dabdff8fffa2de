import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { positions, type CaseSpec } from './plan.js';
import type { CaseResult } from './measure.js';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = ringProgram('uring_qd');
export const NATIVE_NAME = 'c++:io_uring';

/** Where {@link buildRingProgram} puts apps/bench/native/`name`.cc's binary. */
export function ringProgram(name: string): string {
  return join(appRoot, 'build', name);
}

/**
 * Build apps/bench/native/`name`.cc against the addon's own ring code (g++) if it is missing or
 * older than a source; undefined, or the reason it could not be built.
 */
export function buildRingProgram(name: string): string | undefined {
  if (process.platform !== 'linux') return 'io_uring is Linux only';
  const native = join(appRoot, '..', '..', 'packages', 'mfio-rt', 'src', 'native');
  const sources = [join(appRoot, 'native', `${name}.cc`), join(native, 'io_uring', 'ring.cc'), join(native, 'io_uring', 'ring.h')];
  const out = ringProgram(name);
  // Rebuilt whenever a source is newer than the binary, so a run never measures stale code.
  if (existsSync(out) && sources.every((source) => statSync(source).mtimeMs <= statSync(out).mtimeMs)) return undefined;
  mkdirSync(dirname(out), { recursive: true });
  // -pthread: append_sync's threads (glibc before 2.34 keeps them in libpthread).
  const result = spawnSync('g++', ['-O2', '-std=c++17', '-pthread', '-I', native, sources[0]!, sources[1]!, '-o', out], { encoding: 'utf8' });
  return result.status === 0 ? undefined : `g++ failed: ${result.stderr || result.error?.message}`;
}

/** Build the native baseline once (g++, our own ring code); undefined with the reason if not. */
export function buildNativeBaseline(): string | undefined {
  return buildRingProgram('uring_qd');
}

/** The same case through the native baseline: `depth` reads in flight, timed over many iterations. */
export function runNativeBaseline(spec: CaseSpec, expectedDigest: number): CaseResult {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-'));
  try {
    // Cold: as many reads as the JS contenders time (8 iterations, run-case.ts), since every
    // further read finds more of the file cached.
    const iterations = spec.cache === 'cold' ? 8 : Math.max(4, Math.ceil(Math.min(300_000, (512 << 20) / spec.size) / spec.reads));
    const all = new Float64Array(spec.reads * (iterations + 1));
    for (let i = 0; i <= iterations; i++) all.set(positions(spec, spec.reads, i), i * spec.reads);
    const file = join(dir, 'positions.bin');
    writeFileSync(file, Buffer.from(all.buffer));
    const args = [spec.file, String(spec.size), String(spec.inFlight), String(spec.reads), file];
    // Cold: the binary drops the pages itself, after its checked reads, as run-case.ts does.
    const run = spawnSync(binary, spec.cache === 'cold' ? [...args, 'cold'] : args, { encoding: 'utf8' });
    const out = JSON.parse(run.stdout.trim() || '{"error":"no output"}') as { digest?: number; reads?: number; seconds?: number; error?: string };
    if (out.error || out.reads === undefined || out.seconds === undefined) throw new Error(out.error ?? run.stderr);
    const readsPerSecond = out.reads / out.seconds;
    return {
      spec,
      verified: out.digest === expectedDigest,
      readsPerSecond,
      mibPerSecond: (readsPerSecond * spec.size) / (1 << 20),
      rme: 0,
      samples: 1,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
