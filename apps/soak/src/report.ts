import type { Failure } from './failure.js';
import { judgeGrowth, type Growth, type GrowthBound } from './growth.js';
import type { ProcessSample } from './process-stats.js';
import type { Lifetime } from './resource-monitor.js';
import type { OpKind, TargetStats } from './target-stats.js';

/** First, last and largest value of a sampled figure. */
export interface Figure {
  readonly first: number;
  readonly last: number;
  readonly max: number;
}

/** One target's line of the summary. */
export interface TargetReport {
  readonly name: string;
  readonly ops: Record<OpKind, number>;
  readonly abortsSent: number;
  readonly aborted: number;
  readonly busyCloses: number;
  readonly partialWrites: number;
  readonly restarts: number;
  readonly resetSettleMaxMs: number;
  readonly bytesChecked: number;
  readonly bytesUnknown: number;
  readonly finalBytesChecked: number;
  readonly maxRequestAgeMs: number;
  readonly expectedErrors: Record<string, number>;
  readonly unexpectedErrors: Record<string, number>;
}

/** A watched process's resources over the run. */
export interface ResourceReport {
  readonly rss: Figure;
  readonly fds: Figure;
  readonly rssGrowth: Growth;
  readonly fdGrowth: Growth;
}

/** A server child's resources, over all its lifetimes (growth is judged within each). */
export interface ServerReport {
  readonly target: string;
  readonly lifetimes: number;
  readonly rss: Figure;
  readonly fds: Figure;
  /** The lifetimes long enough to judge, and how many of them grew past the bound. */
  readonly judged: number;
  readonly grew: ReadonlyArray<{ readonly pid: number; readonly rss: Growth; readonly fds: Growth }>;
}

/** Everything the summary prints, and what --json writes. */
export interface SoakReport {
  readonly seed: number;
  readonly plannedMs: number;
  readonly elapsedMs: number;
  readonly targets: readonly TargetReport[];
  readonly unavailable: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
  readonly hangBoundMs: number;
  readonly process: ResourceReport | null;
  readonly servers: readonly ServerReport[];
  readonly failures: readonly Failure[];
  readonly passed: boolean;
}

/** The bounds that growth is judged against. */
export interface GrowthBounds {
  readonly rss: GrowthBound;
  readonly fds: GrowthBound;
}

function figure(samples: readonly ProcessSample[], key: 'rss' | 'fds'): Figure {
  const values = samples.map((s) => s[key]);
  return { first: values[0] ?? NaN, last: values.at(-1) ?? NaN, max: values.length ? Math.max(...values) : NaN };
}

function series(samples: readonly ProcessSample[], key: 'rss' | 'fds'): Array<{ atMs: number; value: number }> {
  return samples.map((s) => ({ atMs: s.atMs, value: s[key] }));
}

/** This process's figures and growth verdicts (null before the first sample). */
export function resourceReport(samples: readonly ProcessSample[], bounds: GrowthBounds): ResourceReport | null {
  if (samples.length === 0) return null;
  return {
    rss: figure(samples, 'rss'),
    fds: figure(samples, 'fds'),
    rssGrowth: judgeGrowth(series(samples, 'rss'), bounds.rss),
    fdGrowth: judgeGrowth(series(samples, 'fds'), bounds.fds),
  };
}

/**
 * A server's figures. A restarted server starts afresh, so growth is judged within each lifetime
 * (a kill every 15 s leaves too few samples for the soak's own warm-up): time counts from the
 * lifetime's first sample and `warmupMs` skips its start.
 */
export function serverReport(target: string, lifetimes: readonly Lifetime[], bounds: GrowthBounds, warmupMs: number): ServerReport {
  const all = lifetimes.flatMap((l) => l.samples);
  let judged = 0;
  const grew: Array<{ pid: number; rss: Growth; fds: Growth }> = [];
  for (const { pid, samples } of lifetimes) {
    const inLifetime = (key: 'rss' | 'fds'): Array<{ atMs: number; value: number }> => samples.map((s) => ({ atMs: s.atMs - samples[0]!.atMs, value: s[key] }));
    const rss = judgeGrowth(inLifetime('rss'), { ...bounds.rss, warmupMs });
    const fds = judgeGrowth(inLifetime('fds'), { ...bounds.fds, warmupMs });
    if (rss.judged) judged++;
    if (!rss.ok || !fds.ok) grew.push({ pid, rss, fds });
  }
  return { target, lifetimes: lifetimes.length, rss: figure(all, 'rss'), fds: figure(all, 'fds'), judged, grew };
}

/** A target's report from its statistics. */
export function targetReport(stats: TargetStats, maxRequestAgeMs: number): TargetReport {
  return {
    name: stats.name,
    ops: { ...stats.ops },
    abortsSent: stats.abortsSent,
    aborted: stats.aborted,
    busyCloses: stats.busyCloses,
    partialWrites: stats.partialWrites,
    restarts: stats.restarts,
    resetSettleMaxMs: stats.resetSettleMaxMs,
    bytesChecked: stats.bytesChecked,
    bytesUnknown: stats.bytesUnknown,
    finalBytesChecked: stats.finalBytesChecked,
    maxRequestAgeMs,
    expectedErrors: Object.fromEntries(stats.expectedErrors),
    unexpectedErrors: Object.fromEntries(stats.unexpectedErrors),
  };
}
