import { describeRequest, type InFlight } from './in-flight.js';

/**
 * The hang detector: checks the registry of requests in flight every `everyMs` and calls
 * `onHang` with a report once a request is older than `boundMs`. It runs until `stop()`, through
 * the final checks and the closing of every target, which can hang too.
 */
export function watchForHangs(inFlight: InFlight, boundMs: number, onHang: (report: string) => void): { stop(): void } {
  let reported = false;
  const timer = setInterval(
    () => {
      if (reported || inFlight.oldestAgeMs() <= boundMs) return;
      reported = true;
      const all = inFlight.list();
      const stuck = all.filter((r) => r.ageMs > boundMs);
      const shown = all.slice(0, 50).map((r) => `  ${describeRequest(r)}`);
      const more = all.length > shown.length ? [`  ... and ${all.length - shown.length} more`] : [];
      onHang([`${stuck.length} request(s) older than ${boundMs / 1000} s; ${all.length} in flight, oldest first:`, ...shown, ...more].join('\n'));
    },
    Math.max(50, Math.min(1000, boundMs / 4)),
  );
  return { stop: () => clearInterval(timer) };
}
