import { performance } from 'node:perf_hooks';
import { sampleProcess, type ProcessSample } from './process-stats.js';

/** A child process the soak watches besides itself: a target's server, which restarts. */
export interface WatchedProcess {
  /** The target it serves. */
  readonly name: string;
  /** Its pid now, or undefined while it is restarting. */
  pid(): number | undefined;
}

/** The samples of one server process, from its start to its end. */
export interface Lifetime {
  readonly pid: number;
  readonly samples: ProcessSample[];
}

/**
 * Samples this process's RSS and descriptors every `everyMs`, and those of each watched child
 * (whose samples are kept per pid: a restarted server starts afresh, so its growth is judged
 * within each lifetime).
 */
export class ResourceMonitor {
  readonly self: ProcessSample[] = [];
  readonly children = new Map<string, Lifetime[]>();
  readonly #startedAt: number;
  readonly #everyMs: number;
  readonly #watched: () => readonly WatchedProcess[];
  #timer: NodeJS.Timeout | null = null;
  #sampling: Promise<void> | null = null;

  constructor(startedAt: number, everyMs: number, watched: () => readonly WatchedProcess[]) {
    this.#startedAt = startedAt;
    this.#everyMs = everyMs;
    this.#watched = watched;
  }

  start(): void {
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#everyMs);
  }

  /** Stop sampling after one last sample. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#sampling;
    await this.sample();
  }

  /** Take one sample of every process (skipped if the previous one is still being read). */
  sample(): Promise<void> {
    this.#sampling ??= this.#sampleAll().finally(() => (this.#sampling = null));
    return this.#sampling;
  }

  async #sampleAll(): Promise<void> {
    const atMs = performance.now() - this.#startedAt;
    this.self.push(await sampleProcess('self', atMs));
    for (const child of this.#watched()) {
      const pid = child.pid();
      if (pid === undefined) continue;
      let sample: ProcessSample;
      try {
        sample = await sampleProcess(pid, atMs);
      } catch {
        continue; // it exited between pid() and the read: a restart under way
      }
      const lifetimes = this.children.get(child.name) ?? [];
      this.children.set(child.name, lifetimes);
      let current = lifetimes.at(-1);
      if (current?.pid !== pid) {
        current = { pid, samples: [] };
        lifetimes.push(current);
      }
      current.samples.push(sample);
    }
  }
}
