import type { SeededRandom } from '@mfio/core';

/** Whether and when to abort one request. */
export interface AbortPlan {
  /** The signal to pass, or undefined for a request that is not aborted. */
  readonly signal: AbortSignal | undefined;
  /** Call right after issuing the request: schedules its abort. */
  arm(): void;
}

const NONE: AbortPlan = { signal: undefined, arm: () => undefined };

/**
 * With probability `rate`, a signal aborted at one of the moments where backends differ: at
 * once (the request may still be queued in JS), in a microtask (submitted, not yet completed),
 * on the next turn of the loop (completions may be arriving), or after up to 3 ms (mid-flight,
 * or already done: then the abort changes nothing and the request succeeds).
 */
export function planAbort(random: SeededRandom, rate: number): AbortPlan {
  if (rate <= 0 || random.next() >= rate) return NONE;
  const controller = new AbortController();
  const when = random.int(4);
  const delayMs = random.range(0, 3);
  const abort = (): void => controller.abort();
  return {
    signal: controller.signal,
    arm() {
      if (when === 0) abort();
      else if (when === 1) queueMicrotask(abort);
      else if (when === 2) setImmediate(abort);
      else setTimeout(abort, delayMs);
    },
  };
}
