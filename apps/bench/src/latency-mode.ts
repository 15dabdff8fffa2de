import { basename } from 'node:path';
import { DelayProxy } from './delay-proxy.js';
import type { NetfsServer } from './netfs-server-process.js';
import type { Progress } from './progress.js';
import { RangeServer } from './range-server.js';
import type { RemoteCaseSpec } from './remote-case.js';
import { httpContenders, netfsContenders, type RemoteContender } from './remote-contenders.js';
import { runChild } from './run-child.js';
import type { CaseResult } from './measure.js';

/** Read sizes of the latency mode: a tiny record, a small one, a large block. */
export const LATENCY_SIZES = [1, 256, 65536];

/** What the latency mode measures with. */
export interface LatencyPlan {
  file: string;
  fileSize: number;
  /** One-way delays in milliseconds, one set of cases each. */
  delays: number[];
  inFlight: number;
  timeMs: number;
  netfs: NetfsServer | undefined;
  /** Keeps the contenders the command line selected. */
  selected: (name: string) => boolean;
}

/** netfs readAt with N in flight, and HTTP range requests one and six at a time. */
export function latencyContenders(plan: Pick<LatencyPlan, 'netfs' | 'selected'>): RemoteContender[] {
  const netfs = plan.netfs ? netfsContenders(plan.netfs.backend).filter((c) => c.name.endsWith(':readAt')) : [];
  return [...netfs, ...httpContenders()].filter((c) => plan.selected(c.name));
}

/** How many cases {@link runLatencyMode} runs. */
export function latencyCaseCount(plan: Pick<LatencyPlan, 'netfs' | 'selected' | 'delays'>): number {
  return plan.delays.length * LATENCY_SIZES.length * latencyContenders(plan).length;
}

/**
 * Every contender through a delay proxy of each delay, on hot random reads. Each case reads
 * four windows' worth (4 reads one at a time, 24 six at a time, 4N with N in flight), so a case
 * takes about four round trips per iteration whatever the delay; the shorter lists are
 * prefixes of the longer ones, so every contender's digest checks the same first reads.
 */
export async function runLatencyMode(plan: LatencyPlan, progress: Progress): Promise<CaseResult[]> {
  const contenders = latencyContenders(plan);
  if (contenders.length === 0 || plan.delays.length === 0) return [];
  const http = await RangeServer.start(plan.file);
  const results: CaseResult[] = [];
  try {
    for (const delayMs of plan.delays) {
      const proxies = new Map<string, DelayProxy>();
      try {
        if (plan.netfs) proxies.set('netfs', await DelayProxy.start(plan.netfs, delayMs));
        proxies.set('http', await DelayProxy.start(http.address(), delayMs));
        for (const size of LATENCY_SIZES) {
          for (const contender of contenders) {
            const kind = contender.name.startsWith('netfs:') ? 'netfs' : 'http';
            const target = { ...proxies.get(kind)!.address(), path: kind === 'netfs' ? basename(plan.file) : http.path };
            const spec: RemoteCaseSpec = {
              contender: contender.name,
              file: plan.file,
              fileSize: plan.fileSize,
              pattern: 'random',
              size,
              inFlight: plan.inFlight,
              reads: 4 * contender.window(plan.inFlight),
              cache: 'hot',
              time: plan.timeMs,
              seed: 42,
              target,
              delayMs,
            };
            progress.start(spec);
            const result = await runChild('remote-case.js', spec);
            results.push(result);
            progress.done(result);
          }
        }
      } finally {
        for (const proxy of proxies.values()) await proxy.close();
      }
    }
  } finally {
    await http.close();
  }
  return results;
}
