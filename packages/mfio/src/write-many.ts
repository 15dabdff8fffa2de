import { writeBytes, type WriteSource } from './arguments.js';
import { invalidArgType } from './errors.js';
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
 * Resolves once every byte is written. Otherwise rejects, only after every write has settled
 * (so the caller's buffers are free again), with the failure of the lowest-numbered failed
 * request: the backend's error with that request's `position` and `bytesTransferred`, or
 * ABORT_ERR. The other requests may have been written, wholly or in part.
 * @example
 * await writeMany(file, [[0, header], [8192, page2], [65536, page16]]);
 * await file.datasync(); // durable (with @mfio/rt)
 * @throws {MfioError} argument errors (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE) before any I/O.
 */
export async function writeMany(io: PacketIo<number>, requests: readonly WriteRequest[], options?: IoOptions): Promise<void> {
  if (!Array.isArray(requests)) throw invalidArgType('requests', 'an array of [position, data] pairs', requests);
  const checked = requests.map((request: unknown, i) => {
    if (!Array.isArray(request) || request.length !== 2) throw invalidArgType(`requests[${i}]`, 'a [position, data] pair', request);
    const bytes = writeBytes(request[1]);
    return [toPosition(request[0] as Position, bytes.length), bytes] as const;
  });
  const outcomes = await Promise.allSettled(checked.map(([position, bytes]) => writeAllAt(io, position, bytes, options)));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason as Error;
}
