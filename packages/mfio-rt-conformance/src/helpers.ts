import type { Diagnostics } from '@mfio/rt';

/** Run `tasks` one after another. */
export async function sequential(tasks: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (const task of tasks) await task();
}

/** Run `tasks` at most `limit` at a time; rejects with the first failure after all settle. */
export async function concurrent(tasks: ReadonlyArray<() => Promise<void>>, limit = Infinity): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => errors.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** `dir/name` with `/`, for fixture-relative paths. */
export function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Compare buffers with a message that names the first difference instead of dumping megabytes. */
export function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  if (Buffer.compare(actual, expected) === 0) return;
  let i = 0;
  while (actual[i] === expected[i]) i++;
  throw new Error(`${what}: first difference at byte ${i} (${actual[i]} instead of ${expected[i]})`);
}

/** A promise's outcome, recorded as it settles (so a case can ask "had it settled by then?"). */
export function track<T>(promise: Promise<T>): {
  /** True once `promise` settled. */
  settled: boolean;
  /** How it settled, without rejecting. */
  outcome: Promise<PromiseSettledResult<T>>;
} {
  const state = { settled: false, outcome: null as unknown as Promise<PromiseSettledResult<T>> };
  state.outcome = promise.then(
    (value) => ((state.settled = true), { status: 'fulfilled' as const, value }),
    (reason: unknown) => ((state.settled = true), { status: 'rejected' as const, reason }),
  );
  return state;
}

/**
 * The suffixes of one case's runs: `['']` normally; with `MFIO_TEST_REPEAT=N`, N names
 * (` (run 1/N)` ...), so a stress run (scripts/stress-lifecycle.mjs) repeats the cases it picks.
 */
export function repeats(): string[] {
  const n = Math.max(1, Math.floor(Number(process.env.MFIO_TEST_REPEAT ?? 1)) || 1);
  return n === 1 ? [''] : Array.from({ length: n }, (_, i) => ` (run ${i + 1}/${n})`);
}

/**
 * How long a case waits for something that only a hang would stop: a loaded two-core machine
 * (CI beside other work, ASan) is slow, never stuck, so this is far above any honest wait.
 * `MFIO_TEST_HANG_MS` overrides it (lower it to find a hang fast while debugging).
 */
export const HANG_MS = Number(process.env.MFIO_TEST_HANG_MS ?? 60_000);

/**
 * Reject after `ms` with a message naming what hung (instead of a bare jest timeout) and, from
 * `describe`, what was still in flight then, so a hang in CI's log can be diagnosed.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string, describe?: () => string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(() => {
        let state: string;
        try {
          state = describe === undefined ? '' : `\n${describe()}`;
        } catch (error) {
          state = `\n(what was in flight could not be described: ${String(error)})`;
        }
        reject(new Error(`${what} did not settle within ${ms} ms${state}`));
      }, ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Poll `condition` (every 5 ms) until it holds; reject as {@link within} after `ms`. */
export function until(condition: () => boolean, ms: number, what: string, describe?: () => string): Promise<void> {
  let poll!: NodeJS.Timeout;
  const met = new Promise<void>((resolve) => {
    const check = (): void => {
      if (condition()) resolve();
      else poll = setTimeout(check, 5);
    };
    check();
  });
  return within(met, ms, what, describe).finally(() => clearTimeout(poll));
}

/** What `source` has open and in flight, in a few lines: counts by op and state, the oldest ones. */
export function describeInFlight(source: { diagnostics?(): Diagnostics }): string {
  if (source.diagnostics === undefined) return 'in flight: (this Fs cannot tell)';
  const d = source.diagnostics();
  const byKind = new Map<string, number>();
  for (const r of d.inFlight) byKind.set(`${r.op} ${r.state}`, (byKind.get(`${r.op} ${r.state}`) ?? 0) + 1);
  const oldest = d.inFlight.slice(0, 5).map((r) => `${r.op} #${r.id} ${r.state} for ${r.ageMs} ms`);
  return [
    `backend ${d.backend}${d.closing ? ' (closing)' : ''}; open: ${JSON.stringify(d.open)}; operations running: ${d.operations}`,
    `in flight: ${d.inFlight.length}${byKind.size > 0 ? ` (${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')})` : ''}`,
    ...(oldest.length > 0 ? [`oldest: ${oldest.join('; ')}`] : []),
  ].join('\n');
}
