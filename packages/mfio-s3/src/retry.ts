import type { RetryOptions } from './options.js';

/**
 * The wait before try number `attempt + 1` (after `attempt` failed): exponential from
 * `baseDelayMs`, capped at `maxDelayMs`, with full jitter (a uniform 0..delay), so clients
 * throttled together do not come back together.
 */
export function backoffMs(attempt: number, retry: Required<RetryOptions>): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.random() * ceiling;
}

/** Resolve after `ms` (a request waiting to be retried keeps the process alive, as one in flight does). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
