#!/usr/bin/env node
/**
 * mfio-bench: every mfio backend against Node's own fs, on the same reads of one sample file.
 * Each case runs in its own child process; results go to the terminal and to bench/results/.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeRt } from '@mfio/rt';
import { warmCache } from './cache.js';
import { contenders } from './contenders.js';
import { buildNativeBaseline, NATIVE_NAME, runNativeBaseline } from './native-baseline.js';
import { parseOptions, USAGE } from './options.js';
import { PATTERNS, type CaseSpec, type Pattern } from './plan.js';
import { referenceDigest } from './reference.js';
import { Progress } from './progress.js';
import { printTable, writeReports } from './report.js';
import type { CaseResult } from './run-case.js';
import { ensureSampleFile } from './sample-file.js';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(appRoot, '..', '..');

function runChild(spec: CaseSpec, env: Record<string, string> | undefined): Promise<CaseResult> {
  return new Promise((resolveResult) => {
    const child = spawn(process.execPath, [join(appRoot, 'dist', 'run-case.js'), JSON.stringify(spec)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) resolveResult(JSON.parse(line.slice(7)) as CaseResult);
      else resolveResult({ spec, verified: false, readsPerSecond: 0, mibPerSecond: 0, rme: 0, samples: 0, error: `child exited with ${code}` });
    });
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const file = options.file ?? join(repoRoot, 'bench', 'data', `sample-${options.fileMiB}MiB.bin`);
  // A file named with --file that exists is the user's: measured as it is, never regenerated.
  if (options.file === undefined || !existsSync(file)) ensureSampleFile(file, options.fileMiB << 20);
  const fileSize = statSync(file).size;
  console.log(`sample file ${file} (${(fileSize / (1 << 20)).toFixed(fileSize % (1 << 20) === 0 ? 0 : 1)} MiB)`);
  const unavailable = unavailableBackends();
  if (unavailable) console.log(`backends unavailable here: ${unavailable}`);

  const all = contenders().filter((c) => options.contenders.length === 0 || options.contenders.some((f) => c.name.includes(f)));
  const nativeUnavailable = options.contenders.length === 0 || options.contenders.some((f) => NATIVE_NAME.includes(f)) ? buildNativeBaseline() : 'not selected';
  const cases: Array<{ pattern: Pattern; size: number; cache: 'hot' | 'cold' }> = [];
  for (const cache of options.caches) {
    for (const pattern of options.patterns) for (const size of options.sizes) cases.push({ pattern, size, cache });
  }
  const total = cases.length * (all.length + (nativeUnavailable === undefined ? 1 : 0));
  const results: CaseResult[] = [];
  const progress = new Progress(total);
  let warmed = false;
  for (const { pattern, size, cache } of cases) {
    if (cache === 'hot' && !warmed) {
      await warmCache(file);
      warmed = true;
    }
    const reads = options.reads ?? Math.max(256, Math.min(8192, Math.floor((8 << 20) / size)));
    const base: Omit<CaseSpec, 'contender'> = { file, fileSize, pattern, size, inFlight: options.inFlight, reads, cache, time: options.timeMs, seed: 42 };
    for (const contender of all) {
      progress.start({ ...base, contender: contender.name });
      const result = await runChild({ ...base, contender: contender.name }, contender.env);
      results.push(result);
      progress.done(result);
    }
    if (nativeUnavailable === undefined) {
      const spec = { ...base, contender: NATIVE_NAME };
      progress.start(spec);
      let result: CaseResult;
      try {
        result = runNativeBaseline(spec, referenceDigest(spec));
      } catch (error) {
        result = { spec, verified: false, readsPerSecond: 0, mibPerSecond: 0, rme: 0, samples: 0, error: String(error) };
      }
      results.push(result);
      progress.done(result);
    }
    if (cache === 'cold') warmed = false;
  }
  progress.finish();
  printTable(results);
  const written = await writeReports(results, options.out ?? join(repoRoot, 'bench', 'results'), {
    file,
    fileMiB: +(fileSize / (1 << 20)).toFixed(1),
    inFlight: options.inFlight,
    nativeBaseline: nativeUnavailable ?? 'built',
    ...(unavailable ? { unavailable } : {}),
  });
  console.log(`\nwrote ${written.join(', ')}`);
  if (results.some((r) => !r.verified)) {
    console.error('some cases FAILED verification or did not run (see the table)');
    process.exitCode = 1;
  }
}

/** The mfio backends that do not start here, each with its reason ('' when all start). */
function unavailableBackends(): string {
  return NativeRt.builder()
    .enableAll()
    .buildEach()
    .flatMap((r) => {
      void r.rt?.close();
      return r.error ? [`${r.name} (${r.error.message})`] : [];
    })
    .join('; ');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
