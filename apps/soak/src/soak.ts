import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SeededRandom } from '@mfio/core';
import type { Failure, FailureKind } from './failure.js';
import type { GrowthBound } from './growth.js';
import { watchForHangs } from './hang-watch.js';
import { InFlight } from './in-flight.js';
import type { Options } from './options.js';
import { resourceReport, serverReport, targetReport, type GrowthBounds, type SoakReport } from './report.js';
import { ResourceMonitor } from './resource-monitor.js';
import { bytes, count, millis } from './summary.js';
import { TargetRunner } from './target-runner.js';
import { planTargets, TARGET_NAMES, type TargetPlan } from './targets/plan-targets.js';

/** Failures kept word for word; past this they are only counted. */
const MAX_FAILURES = 100;

/**
 * One soak run: plans the targets, runs them side by side for the duration, then stops, checks
 * every file whole, closes everything and reports. `stop()` ends it early (Ctrl-C); a failure
 * ends it at once.
 */
export class Soak {
  readonly #options: Options;
  readonly #out: (line: string) => void;
  readonly #inFlight = new InFlight();
  readonly #failures: Failure[] = [];
  #failureCount = 0;
  #stopping = false;
  readonly #stopped: Promise<void>;
  #signalStop!: () => void;
  #startedAt = performance.now();
  #runStartedAt: number | null = null;
  #plan: TargetPlan = { targets: [], unavailable: [] };
  #runners: TargetRunner[] = [];
  #monitor: ResourceMonitor | null = null;
  #workDir: string | null = null;

  constructor(options: Options, out: (line: string) => void) {
    this.#options = options;
    this.#out = out;
    this.#stopped = new Promise((resolve) => (this.#signalStop = resolve));
  }

  /** Stop issuing requests; the run then checks, closes and reports. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#signalStop();
  }

  /** Remove the files at once, for an exit that cannot wait for the run to end (after a hang). */
  removeFilesNow(): void {
    if (this.#workDir !== null) rmSync(this.#workDir, { recursive: true, force: true });
  }

  /** Record a failure (printed at once) and stop. */
  fail(kind: FailureKind, message: string): void {
    this.#failureCount++;
    if (this.#failures.length < MAX_FAILURES) this.#failures.push({ kind, message });
    if (this.#failureCount <= 10) this.#out(`FAIL (${kind}): ${message}`);
    this.stop();
  }

  get failed(): boolean {
    return this.#failureCount > 0;
  }

  /** Run to the end; resolves with the report (never rejects: errors become failures). */
  async run(onHang: (report: string) => void): Promise<SoakReport> {
    const o = this.#options;
    const workDir = await mkdtemp(join(tmpdir(), 'mfio-soak-'));
    this.#workDir = workDir;
    const hangs = watchForHangs(this.#inFlight, o.hangBoundMs, (report) => {
      this.fail('hang', report);
      onHang(report);
    });
    try {
      await this.#runIn(workDir);
    } catch (error) {
      this.fail('setup', (error as Error).stack ?? String(error));
    } finally {
      hangs.stop();
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
    return this.report();
  }

  async #runIn(workDir: string): Promise<void> {
    const o = this.#options;
    this.#plan = await planTargets(o.targets, workDir, { connections: o.connections, seed: o.seed }, (why) => this.fail('server exit', why));
    const { targets, unavailable } = this.#plan;
    this.#out(`targets: ${targets.map((t) => t.name).join(', ')}`);
    for (const u of unavailable) this.#out(`not run here: ${u.name} (${u.reason})`);
    if (targets.length === 0) throw new Error('no target can start here');
    const hooks = {
      inFlight: this.#inFlight,
      fail: (kind: FailureKind, message: string) => this.fail(kind, message),
      stopping: () => this.#stopping,
      stopped: this.#stopped,
    };
    // Each target's random stream hangs off the seed and its name only, so a replay with
    // --targets gives a target the same choices as the full run did.
    this.#runners = targets.map((t) => new TargetRunner(t, o, seedFor(o.seed, t.name), hooks));
    await Promise.all(this.#runners.map((r) => r.prepare().catch((e: Error) => this.fail('setup', `${r.target}: could not start: ${e.stack ?? e}`))));

    this.#monitor = new ResourceMonitor(this.#startedAt, o.sampleEveryMs, () =>
      targets.flatMap((t) => (t.restartable ? [{ name: t.name, pid: () => t.restartable!.pid() }] : [])),
    );
    this.#runStartedAt = performance.now();
    this.#monitor.start();
    const progress = setInterval(() => this.#out(this.#progressLine()), o.progressEveryMs);
    const deadline = setTimeout(() => this.stop(), o.durationMs);
    try {
      if (!this.failed) await Promise.all(this.#runners.map((r) => r.run()));
    } finally {
      clearTimeout(deadline);
      clearInterval(progress);
      this.stop();
      // The figures judged are those of the run, not of the final check and the closing.
      await this.#monitor.stop();
    }
    // A failed run may have left a server down or handles broken: checking every byte then
    // reports noise on top of the real failure; closing still must not hang.
    if (!this.failed) {
      this.#out('stopping: rewriting unknown ranges, then reading every file whole');
      await Promise.all(
        this.#runners.map((r) => r.verifyAll().catch((e: Error) => this.fail('unexpected error', `${r.target}: final check: ${e.stack ?? e}`))),
      );
    }
    await Promise.all(this.#runners.map((r) => r.close().catch((e: Error) => this.fail('unexpected error', `${r.target}: close: ${e.stack ?? e}`))));
    this.#judgeGrowth();
  }

  #bounds(): GrowthBounds {
    const o = this.#options;
    const warmupMs = (this.#runStartedAt ?? this.#startedAt) - this.#startedAt + o.warmupMs;
    const rss: GrowthBound = { warmupMs, absolute: o.rssSlack, relative: o.rssRatio };
    const fds: GrowthBound = { warmupMs, absolute: o.fdSlack, relative: o.fdRatio };
    return { rss, fds };
  }

  #judgeGrowth(): void {
    const report = this.report();
    const p = report.process;
    if (p !== null && !p.rssGrowth.ok)
      this.fail('growth', `this process's RSS grew from ${bytes(p.rssGrowth.early)} to ${bytes(p.rssGrowth.late)} (bound ${bytes(p.rssGrowth.allowed)})`);
    if (p !== null && !p.fdGrowth.ok)
      this.fail('growth', `this process's descriptors grew from ${p.fdGrowth.early} to ${p.fdGrowth.late} (bound ${p.fdGrowth.allowed})`);
    for (const s of report.servers) {
      for (const g of s.grew) {
        this.fail(
          'growth',
          `${s.target} server pid ${g.pid}: rss ${bytes(g.rss.early)} -> ${bytes(g.rss.late)} (bound ${bytes(g.rss.allowed)}), fds ${g.fds.early} -> ${g.fds.late} (bound ${g.fds.allowed})`,
        );
      }
    }
  }

  /** The report as things stand (also mid-run, for a forced exit after a hang). */
  report(): SoakReport {
    const bounds = this.#bounds();
    const monitor = this.#monitor;
    // Two samples into a server's life it has served requests on every connection.
    const serverWarmupMs = 2 * this.#options.sampleEveryMs;
    const servers = monitor === null ? [] : [...monitor.children].map(([target, lifetimes]) => serverReport(target, lifetimes, bounds, serverWarmupMs));
    return {
      seed: this.#options.seed,
      plannedMs: this.#options.durationMs,
      elapsedMs: this.#runStartedAt === null ? 0 : performance.now() - this.#runStartedAt,
      targets: this.#runners.map((r) => targetReport(r.stats, this.#inFlight.maxAgeMs.get(r.target) ?? 0)),
      unavailable: this.#plan.unavailable,
      hangBoundMs: this.#options.hangBoundMs,
      process: monitor === null ? null : resourceReport(monitor.self, bounds),
      servers,
      failures: [
        ...this.#failures,
        ...(this.#failureCount > this.#failures.length
          ? [{ kind: 'setup' as const, message: `... and ${this.#failureCount - this.#failures.length} more failures` }]
          : []),
      ],
      passed: this.#failureCount === 0,
    };
  }

  #progressLine(): string {
    const elapsed = performance.now() - (this.#runStartedAt ?? this.#startedAt);
    const ops = this.#runners.reduce((sum, r) => sum + r.stats.totalOps, 0);
    const checked = this.#runners.reduce((sum, r) => sum + r.stats.bytesChecked, 0);
    const unknown = this.#runners.reduce((sum, r) => sum + r.unknownBytes, 0);
    const restarts = this.#runners.reduce((sum, r) => sum + r.stats.restarts, 0);
    const self = this.#monitor?.self.at(-1);
    const resources = self === undefined ? '' : `, rss ${bytes(self.rss)}, ${self.fds} fds`;
    return (
      `[${millis(elapsed).padStart(7)}] ${count(ops)} ops (${count((ops * 1000) / elapsed)}/s), ${bytes(checked)} checked, ` +
      `${bytes(unknown)} unknown, ${this.#inFlight.size} in flight (oldest ${millis(this.#inFlight.oldestAgeMs())}), ${restarts} restarts${resources}`
    );
  }
}

/** A target's seed: the run's seed mixed with the target's place in the list of every target. */
function seedFor(seed: number, target: string): number {
  const random = new SeededRandom(seed);
  let value = 0;
  for (let i = 0; i <= TARGET_NAMES.indexOf(target); i++) value = random.nextUint32();
  return value;
}
