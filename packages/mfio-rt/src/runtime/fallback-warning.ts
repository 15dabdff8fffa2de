import { BACKEND_ORDER, type BackendName } from '../backends/contract.js';
import type { MfioError } from '@mfio/core';

/** The warning's code, for `process.on('warning')` handlers and `--disable-warning`. */
export const FALLBACK_WARNING_CODE = 'MFIO_BACKEND_FALLBACK';

let warned = false;

/**
 * The fastest backend this platform could run, on Node, Bun and Deno alike: io_uring on Linux,
 * iocp on Windows, the thread pool on other systems.
 */
export function bestBackend(): BackendName {
  return process.platform === 'linux' ? 'io_uring' : process.platform === 'win32' ? 'iocp' : 'threadpool';
}

/**
 * Say once per process that `build()` settled for `chosen` rather than the best backend, and
 * why: a user who installed without the platform package, or runs in a sandbox that refuses
 * io_uring, would otherwise never learn that the slowest path is serving them.
 */
export function warnOnFallback(chosen: BackendName, failures: readonly { name: BackendName; error: MfioError }[]): void {
  const best = bestBackend();
  if (warned || BACKEND_ORDER.indexOf(chosen) <= BACKEND_ORDER.indexOf(best)) return;
  warned = true;
  const why = failures.find((failure) => failure.name === best)?.error.message ?? 'it did not start';
  // The message is one line, what happened; the detail (printed below it) has the rest of the
  // reason: for a missing addon, every place the loader looked and the fix.
  const [first, ...rest] = why.split('\n');
  process.emitWarning(`@mfio/rt runs on the ${chosen} backend, not ${best}: ${first}`, {
    type: 'MfioWarning',
    code: FALLBACK_WARNING_CODE,
    detail: [
      ...rest,
      'rt.skipped lists why each faster backend did not start.',
      `To silence this warning: NativeRt.builder().fallbackWarning(false), or node --disable-warning=${FALLBACK_WARNING_CODE}.`,
    ].join('\n'),
  });
}
