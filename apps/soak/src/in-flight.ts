import { performance } from 'node:perf_hooks';

/** What a request in flight is, for the hang report. */
export interface RequestInfo {
  readonly target: string;
  /** `readAt`, `readMany`, `writeAt`, `open`, `close`, `restart`, ... */
  readonly op: string;
  readonly file?: string;
  readonly position?: number;
  readonly length?: number;
}

interface Entry extends RequestInfo {
  readonly startedAt: number;
  /** Set once the caller was told of an abort while the backend still held the request. */
  releasing: boolean;
}

/** A request still in flight and how long it has been. */
export interface InFlightRequest extends RequestInfo {
  readonly ageMs: number;
  readonly releasing: boolean;
}

/** A request's ticket in the registry: settle it when the request settles. */
export interface Ticket {
  /** The caller heard of an abort; the request stays in flight until the backend lets go. */
  releasing(): void;
  /** The request is over (including the release of its buffer); returns its age in ms. */
  end(): number;
}

/**
 * Every request of the soak with its start time, so that one that never settles is seen (the
 * hang detector) and the longest one is reported. An aborted request stays here until its
 * buffer is released: a backend that never lets go hangs as surely as one that never answers.
 */
export class InFlight {
  readonly #entries = new Set<Entry>();
  /** The age of the oldest request that ever ended, per target. */
  readonly maxAgeMs = new Map<string, number>();

  begin(info: RequestInfo): Ticket {
    const entry: Entry = { ...info, startedAt: performance.now(), releasing: false };
    this.#entries.add(entry);
    let ended = false;
    return {
      releasing: () => {
        entry.releasing = true;
      },
      end: () => {
        const age = performance.now() - entry.startedAt;
        if (ended) return age;
        ended = true;
        this.#entries.delete(entry);
        if (age > (this.maxAgeMs.get(info.target) ?? 0)) this.maxAgeMs.set(info.target, age);
        return age;
      },
    };
  }

  /** Track `promise` (which settles when the request is over) as one request. */
  track<T>(info: RequestInfo, promise: Promise<T>): Promise<T> {
    const ticket = this.begin(info);
    return promise.finally(() => ticket.end());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Requests in flight, oldest first. */
  list(): InFlightRequest[] {
    const now = performance.now();
    return [...this.#entries].sort((a, b) => a.startedAt - b.startedAt).map(({ startedAt, ...info }) => ({ ...info, ageMs: now - startedAt }));
  }

  /** Requests of `target` in flight now. */
  countOf(target: string): number {
    let n = 0;
    for (const e of this.#entries) if (e.target === target) n++;
    return n;
  }

  /** The age of the oldest request in flight (0 when none). */
  oldestAgeMs(): number {
    let oldest = Infinity;
    for (const e of this.#entries) oldest = Math.min(oldest, e.startedAt);
    return oldest === Infinity ? 0 : performance.now() - oldest;
  }
}

/** `netfs:libuv readAt soak-1.bin at 4096 length 512` */
export function describeInfo(r: RequestInfo): string {
  const where = r.file === undefined ? '' : ` ${r.file}`;
  const at = r.position === undefined ? '' : ` at ${r.position}`;
  const length = r.length === undefined ? '' : ` length ${r.length}`;
  return `${r.target} ${r.op}${where}${at}${length}`;
}

/** One line of the hang report: what, and for how long. */
export function describeRequest(r: InFlightRequest): string {
  const state = r.releasing ? ' (aborted; the backend still holds it)' : '';
  return `${describeInfo(r)}: ${(r.ageMs / 1000).toFixed(1)} s${state}`;
}
