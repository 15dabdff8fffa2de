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
export function track<T>(promise: Promise<T>): { settled: boolean; outcome: Promise<PromiseSettledResult<T>> } {
  const state = { settled: false, outcome: null as unknown as Promise<PromiseSettledResult<T>> };
  state.outcome = promise.then(
    (value) => ((state.settled = true), { status: 'fulfilled' as const, value }),
    (reason: unknown) => ((state.settled = true), { status: 'rejected' as const, reason }),
  );
  return state;
}

/** Reject after `ms` with a message naming what hung (instead of a bare jest timeout). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
