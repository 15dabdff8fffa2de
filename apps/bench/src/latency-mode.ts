import { basename } from 'node:path';
import { DelayProxy } from './delay-proxy.js';
import type { NetfsServer } from './netfs-server-process.js';
import type { PeerServer, ServerKind, Target } from './peers/peer-server.js';
import type { Progress } from './progress.js';
import { RangeServer } from './range-server.js';
import type { RemoteCaseSpec } from './remote-case.js';
import { httpContenders, netfsContenders, peerRemoteContenders, type RemoteContender } from './remote-contenders.js';
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
  /** The peer servers that started (--peers): their contenders run too, N in flight. */
  peers?: PeerServer[];
  /** Keeps the contenders the command line selected. */
  selected: (name: string) => boolean;
}

/**
 * netfs readAt with N in flight, HTTP range requests one and six at a time, and each peer that
 * runs (Samba, NFS-Ganesha, sshfs, HTTP range requests N at a time) with N in flight.
 */
export function latencyContenders(plan: Pick<LatencyPlan, 'netfs' | 'selected' | 'peers'>): RemoteContender[] {
  const netfs = plan.netfs ? netfsContenders(plan.netfs.backend).filter((c) => c.name.endsWith(':readAt')) : [];
  const kinds = new Set((plan.peers ?? []).map((s) => s.kind));
  const peers = peerRemoteContenders().filter((c) => kinds.has(c.server));
  return [...netfs, ...httpContenders(), ...peers].filter((c) => plan.selected(c.name));
}

/** How many cases {@link runLatencyMode} runs. */
export function latencyCaseCount(plan: Pick<LatencyPlan, 'netfs' | 'selected' | 'delays' | 'peers'>): number {
  return plan.delays.length * LATENCY_SIZES.length * latencyContenders(plan).length;
}

/**
 * Every contender through a delay proxy of each delay, on hot random reads: each server kind
 * gets a proxy of its own, so every peer's traffic is delayed alike. Each case reads four
 * windows' worth (4 reads one at a time, 24 six at a time, 4N with N in flight), so a case
 * takes about four round trips per iteration whatever the delay; the shorter lists are
 * prefixes of the longer ones, so every contender's digest checks the same first reads.
 */
export async function runLatencyMode(plan: LatencyPlan, progress: Progress): Promise<CaseResult[]> {
  const contenders = latencyContenders(plan);
  if (contenders.length === 0 || plan.delays.length === 0) return [];
  const servers = new Map<ServerKind, Target>((plan.peers ?? []).map((s) => [s.kind, s.target]));
  if (plan.netfs) servers.set('netfs', { host: plan.netfs.host, port: plan.netfs.port, path: basename(plan.file) });
  // HTTP range requests one and six at a time run without --peers too: their own server then.
  const http = servers.has('http') ? undefined : await RangeServer.start(plan.file);
  if (http) servers.set('http', { ...http.address(), path: http.path });
  const results: CaseResult[] = [];
  try {
    for (const delayMs of plan.delays) {
      const proxies = new Map<ServerKind, DelayProxy>();
      try {
        for (const kind of new Set(contenders.map((c) => c.server))) proxies.set(kind, await DelayProxy.start(servers.get(kind)!, delayMs));
        for (const size of LATENCY_SIZES) {
          for (const contender of contenders) {
            const target = { ...servers.get(contender.server)!, ...proxies.get(contender.server)!.address() };
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
            const result = await runChild('remote-case.js', spec, contender.env?.(plan.inFlight));
            results.push(result);
            progress.done(result);
          }
        }
      } finally {
        for (const proxy of proxies.values()) await proxy.close();
      }
    }
  } finally {
    await http?.close();
  }
  return results;
}
