#!/usr/bin/env node
/**
 * mfio-bench: every mfio backend against Node's own fs, on the same reads of one sample file.
 * Each case runs in its own child process; results go to the terminal and to bench/local/ (or
 * --out).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeRt } from '@mfio/rt';
import { warmCache } from './cache.js';
import { contenders } from './contenders.js';
import { buildNativeBaseline, NATIVE_NAME, runNativeBaseline } from './native-baseline.js';
import { latencyCaseCount, runLatencyMode } from './latency-mode.js';
import { startNetfsServer, type NetfsServer } from './netfs-server-process.js';
import { parseOptions, USAGE } from './options.js';
import { type CaseSpec, type Pattern } from './plan.js';
import { referenceDigest } from './reference.js';
import { Progress } from './progress.js';
import { PEERS_LEFT_OUT, startPeers, type Peers } from './peers/start-peers.js';
import { netfsContenders, peerRemoteContenders } from './remote-contenders.js';
import type { RemoteCaseSpec } from './remote-case.js';
import { printTable, writeReports } from './report.js';
import { mergeRuns } from './repeats.js';
import { failedResult, runChild } from './run-child.js';
import type { CaseResult } from './measure.js';
import { ensureSampleFile } from './sample-file.js';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(appRoot, '..', '..');
/**
 * Where a run writes unless told (`--out`): not bench/results, the committed set that
 * bench/README.md discusses, which only a deliberate `--out bench/results` replaces.
 */
const DEFAULT_OUT = join('bench', 'local');

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
  const backends = NativeRt.builder().enableAll().buildEach();
  for (const r of backends) void r.rt?.close();
  const unavailable = backends.flatMap((r) => (r.error ? [`${r.name} (${r.error.message})`] : [])).join('; ');
  if (unavailable) console.log(`backends unavailable here: ${unavailable}`);

  const selected = (name: string): boolean => options.contenders.length === 0 || options.contenders.some((f) => name.includes(f));
  const all = contenders().filter((c) => selected(c.name));
  // The netfs server reads with the first backend that starts, named in its contenders' names.
  const serverBackend = backends.find((r) => r.rt)?.name;
  const remote = serverBackend ? netfsContenders(serverBackend).filter((c) => selected(c.name)) : [];
  const wantsNetfs = remote.length > 0 || (options.delays.length > 0 && serverBackend !== undefined && selected(`netfs:${serverBackend}:readAt`));
  let netfs: NetfsServer | undefined;
  let netfsUnavailable: string | undefined;
  if (wantsNetfs) {
    try {
      netfs = await startNetfsServer(dirname(file), serverBackend!);
      console.log(`netfs server on ${netfs.host}:${netfs.port}, reading with ${netfs.backend}`);
    } catch (error) {
      netfsUnavailable = (error as Error).message;
      console.log(`netfs unavailable: ${netfsUnavailable}`);
    }
  }
  const netfsTarget = netfs ? { host: netfs.host, port: netfs.port, path: basename(file) } : undefined;
  const wantedPeers = options.peers ? peerRemoteContenders().filter((c) => selected(c.name)) : [];
  if (!options.peers && peerRemoteContenders().some((c) => selected(c.name))) console.log(PEERS_LEFT_OUT);
  // Never throws (a peer that cannot start is reported); stopped with the netfs server below.
  const peers: Peers | undefined = wantedPeers.length > 0 ? await startPeers(file, wantedPeers) : undefined;
  const remoteHere = [...(netfsTarget ? remote.map((contender) => ({ contender, target: netfsTarget })) : []), ...(peers?.contenders ?? [])];
  const latencyPlan = { file, fileSize, delays: options.delays, inFlight: options.inFlight, timeMs: options.timeMs, netfs, selected, peers: peers?.servers };
  const nativeUnavailable = options.contenders.length === 0 || options.contenders.some((f) => NATIVE_NAME.includes(f)) ? buildNativeBaseline() : 'not selected';
  const cases: Array<{ pattern: Pattern; size: number; cache: 'hot' | 'cold' }> = [];
  for (const cache of options.caches) {
    for (const pattern of options.patterns) for (const size of options.sizes) cases.push({ pattern, size, cache });
  }
  const total = options.repeat * cases.length * (all.length + remoteHere.length + (nativeUnavailable === undefined ? 1 : 0)) + latencyCaseCount(latencyPlan);
  if (total === 0) {
    // Nothing to measure: an empty report would replace a real one, so write none.
    const filter = options.contenders.length > 0 ? ` --contenders ${options.contenders.join(',')}` : '';
    console.error(`no case to run: the options${filter} select no contender that can run here (see --help for the names)`);
    process.exitCode = 2;
    await netfs?.stop();
    await peers?.stop();
    return;
  }
  const results: CaseResult[] = [];
  const progress = new Progress(total);
  try {
    let warmed = false;
    for (const { pattern, size, cache } of cases) {
      if (cache === 'hot' && !warmed) {
        await warmCache(file);
        warmed = true;
      }
      const reads = options.reads ?? Math.max(256, Math.min(8192, Math.floor((8 << 20) / size)));
      const base: Omit<CaseSpec, 'contender'> = { file, fileSize, pattern, size, inFlight: options.inFlight, reads, cache, time: options.timeMs, seed: 42 };
      // Contenders take turns run by run, so a slow spell of the machine or the disk hits each.
      const runs = new Map<string, CaseResult[]>();
      const record = (result: CaseResult): void => {
        const name = result.spec.contender;
        runs.set(name, [...(runs.get(name) ?? []), result]);
        progress.done(result);
      };
      for (let run = 0; run < options.repeat; run++) {
        for (const contender of all) {
          progress.start({ ...base, contender: contender.name });
          record(await runChild('run-case.js', { ...base, contender: contender.name }, contender.env));
        }
        if (nativeUnavailable === undefined) {
          const spec = { ...base, contender: NATIVE_NAME };
          progress.start(spec);
          try {
            record(runNativeBaseline(spec, referenceDigest(spec)));
          } catch (error) {
            record(failedResult(spec, String(error)));
          }
        }
        for (const { contender, target } of remoteHere) {
          const spec: RemoteCaseSpec = { ...base, contender: contender.name, target, delayMs: 0 };
          progress.start(spec);
          record(await runChild('remote-case.js', spec, contender.env?.(options.inFlight)));
        }
      }
      for (const caseRuns of runs.values()) results.push(mergeRuns(caseRuns));
      if (cache === 'cold') warmed = false;
    }
    if (latencyPlan.delays.length > 0) {
      await warmCache(file);
      results.push(...(await runLatencyMode(latencyPlan, progress)));
    }
  } finally {
    await netfs?.stop();
    await peers?.stop();
  }
  progress.finish();
  printTable(results);
  const written = await writeReports(results, options.out ?? join(repoRoot, DEFAULT_OUT), {
    file,
    fileMiB: +(fileSize / (1 << 20)).toFixed(1),
    inFlight: options.inFlight,
    ...(options.repeat > 1 ? { runsPerCase: `${options.repeat} (median shown; spread is half the range of the runs)` } : {}),
    nativeBaseline: nativeUnavailable ?? 'built',
    ...(netfs ? { netfsServerBackend: netfs.backend } : {}),
    ...(netfsUnavailable ? { netfsUnavailable } : {}),
    ...(peers ? { peers: peers.servers.map((s) => `${s.kind}: ${s.description}`).join('; ') } : {}),
    ...(peers && peers.unavailable.length > 0 ? { peersUnavailable: peers.unavailable.map((u) => `${u.peer} (${u.reason})`).join('; ') } : {}),
    ...(options.delays.length > 0 ? { latencyDelaysMs: options.delays.join('/') } : {}),
    ...(unavailable ? { unavailable } : {}),
  });
  console.log(`\nwrote ${written.join(', ')}`);
  if (results.some((r) => !r.verified)) {
    console.error('some cases FAILED verification or did not run (see the table)');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
