import { writeBytes, type WriteSource } from './arguments.js';
import { checkOptions, IO_OPTION_KEYS } from './options.js';
import { invalidArgType, MfioError } from './errors.js';
import type { PacketIo } from './packet-io.js';
import { toPosition, type Position } from './position.js';
import { writeAllAt } from './read-write.js';
import type { IoOptions } from './submit.js';

/** One write of a batch: `[position, data]`. */
export type WriteRequest = readonly [position: Position, data: WriteSource];

/**
 * Write every request whole (as {@link writeAllAt}, continuing after short writes), all in
 * flight at once, with one await: a database's dirty pages, an index's changed blocks.
 * Requests run concurrently, so where two overlap the overlap ends up holding either's bytes:
 * give disjoint ranges. Every request is checked before any is sent.
 *
 * Resolves once every byte is written. Otherwise rejects with the failure of the lowest-numbered
 * failed request: the backend's error with that request's `position` and `bytesTransferred`
 * (after every write has settled), or on abort ABORT_ERR at once, whose `released` resolves
 * once no write holds any of the caller's buffers. The other requests may have been written,
 * wholly or in part.
 * @example
 * await writeMany(file, [[0, header], [8192, page2], [65536, page16]]);
 * await file.datasync(); // durable (with @mfio/rt)
 * @throws {MfioError} argument errors (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE) before any I/O.
 */
export async function writeMany(io: PacketIo<number>, requests: readonly WriteRequest[], options?: IoOptions): Promise<void> {
  if (!Array.isArray(requests)) throw invalidArgType('requests', 'an array of [position, data] pairs', requests);
  checkOptions(options, IO_OPTION_KEYS);
  const checked: Array<readonly [number, Uint8Array]> = [];
  // A loop, not map: a hole in a sparse array is a bad request too.
  for (let i = 0; i < requests.length; i++) {
    const request: unknown = requests[i];
    if (!Array.isArray(request) || request.length !== 2) throw invalidArgType(`requests[${i}]`, 'a [position, data] pair', request);
    const bytes = writeBytes(request[1]);
    checked.push([toPosition(request[0] as Position, bytes.length), bytes]);
  }
  const outcomes = await Promise.allSettled(checked.map(([position, bytes]) => writeAllAt(io, position, bytes, options)));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed === undefined) return;
  const error = failed.reason as Error;
  // An abort rejects each write at once; the caller's buffers are free when all have let go.
  const releases = outcomes.flatMap((o) =>
    o.status === 'rejected' && o.reason instanceof MfioError && o.reason.released !== undefined ? [o.reason.released] : [],
  );
  if (error instanceof MfioError && releases.length > 0) error.released = Promise.all(releases).then(() => undefined);
  throw error;
}
