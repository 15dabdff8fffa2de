import type { MfioErrorCode, ReadRequest, SeededRandom } from '@mfio/core';
import type { FileHandle } from '@mfio/rt';
import { planAbort } from './abort-plan.js';
import type { FileModel, Mismatch } from './file-model.js';
import type { RequestInfo, Ticket } from './in-flight.js';
import type { RangeClaims } from './range-claims.js';
import type { Range } from './range-set.js';
import type { TargetStats } from './target-stats.js';

/** One file of a target: what it must contain and who is touching which bytes. */
export interface FileState {
  readonly model: FileModel;
  readonly claims: RangeClaims;
}

/** Where a request goes: an open handle on one file, through one connection's generation. */
export interface Destination {
  readonly file: FileState;
  readonly handle: FileHandle;
  readonly generation: number;
}

/**
 * How a step went: `idle` when it sent nothing (its bytes were busy), `reset` when its request
 * failed because the soak killed the server (the loop then waits for the restart).
 */
export type Step = 'idle' | 'done' | 'reset';

/**
 * One request's bookkeeping: its entry in the hang registry, and the counts of requests in
 * flight on its connection generation (until its promise settles: a restart waits for those)
 * and on its handle (until the backend let go of it: a close must wait for those).
 */
export interface RequestTicket extends Ticket {
  readonly generation: number;
  /** The caller's promise settled (for an abort: before the backend let go). */
  settled(): void;
}

/** What the operations need from the target's runner. */
export interface OpContext {
  readonly target: string;
  readonly stats: TargetStats;
  readonly random: SeededRandom;
  /** The largest read or write, in bytes. */
  readonly maxIo: number;
  /** The share of requests aborted at a random moment. */
  readonly abortRate: number;
  /** Fresh bytes to write (never modified afterwards: a backend may still read them). */
  writeData(length: number): Uint8Array;
  /** A request on `handle` through connection generation `generation` starts. */
  begin(info: RequestInfo, generation: number, handle?: FileHandle): RequestTicket;
  /**
   * Count `error` as expected (an abort the soak sent, a reset of a server it killed) or fail the
   * run; resolves once the request is over (an aborted one when the backend let go of it) with
   * true for a reset of a killed server.
   */
  settleError(error: unknown, info: RequestInfo, aborted: boolean, ticket: RequestTicket): Promise<boolean>;
  /** A read returned what the model says it cannot: fails the run. */
  mismatch(info: RequestInfo, mismatch: Mismatch): void;
}

/** A length from 1 to `max`, log-uniform: as many 1-16 byte requests as 16-64 KiB ones. */
export function ioLength(random: SeededRandom, max: number): number {
  return Math.min(max, Math.max(1, Math.floor(2 ** (random.next() * Math.log2(max + 1)))));
}

/** The part of `[position, position + length)` inside a file of `size` bytes. */
function inside(position: number, length: number, size: number): Range[] {
  const end = Math.min(size, position + length);
  return end > position ? [{ start: position, end }] : [];
}

function isAbort(error: unknown): boolean {
  return (error as { code?: MfioErrorCode } | null)?.code === 'ABORT_ERR';
}

function check(ctx: OpContext, model: FileModel, info: RequestInfo & { position: number; length: number }, data: Uint8Array): void {
  const result = model.check(info.position, info.length, data);
  ctx.stats.bytesChecked += result.checked;
  ctx.stats.bytesUnknown += result.skipped;
  if (result.mismatch !== null) ctx.mismatch(info, result.mismatch);
}

/**
 * `readAt` at a random position (sometimes past the end: a short or empty read), checked
 * against the model. Idle when its bytes were being written (nothing was sent).
 */
export async function readAtOp(ctx: OpContext, to: Destination): Promise<Step> {
  const { model, claims } = to.file;
  const position = ctx.random.int(model.size + ctx.maxIo);
  const length = ioLength(ctx.random, ctx.maxIo);
  const claim = claims.tryClaim(inside(position, length, model.size), false);
  if (claim === null) return 'idle';
  const info = { target: ctx.target, op: 'readAt', file: model.name, position, length };
  return checkedRead(
    ctx,
    to,
    claim,
    info,
    (signal) => to.handle.readAt(position, length, { signal }),
    (data) => {
      check(ctx, model, info, data);
      ctx.stats.ops.readAt++;
    },
  );
}

/** `readMany` of 1-16 random ranges (some past the end), each checked against the model. */
export async function readManyOp(ctx: OpContext, to: Destination): Promise<Step> {
  const { model, claims } = to.file;
  const maxEach = Math.max(1, ctx.maxIo >> 2);
  const requests: ReadRequest[] = [];
  const ranges: Range[] = [];
  for (let n = ctx.random.range(1, 16); n > 0; n--) {
    const position = ctx.random.int(model.size + maxEach);
    const length = ioLength(ctx.random, maxEach);
    requests.push([position, length]);
    ranges.push(...inside(position, length, model.size));
  }
  const claim = claims.tryClaim(ranges, false);
  if (claim === null) return 'idle';
  const total = requests.reduce((sum, [, length]) => sum + length, 0);
  const info = { target: ctx.target, op: `readMany(${requests.length})`, file: model.name, position: Number(requests[0]![0]), length: total };
  return checkedRead(
    ctx,
    to,
    claim,
    info,
    (signal) => to.handle.readMany(requests, { signal }),
    (result) => {
      requests.forEach(([position, length], i) =>
        check(ctx, model, { ...info, op: `readMany(${requests.length})[${i}]`, position: Number(position), length }, result.at(i)),
      );
      ctx.stats.ops.readMany++;
    },
  );
}

/**
 * Send one read, aborted at a random moment where the plan says so; `onResult` checks what
 * came back. 'reset' when the read found its connection gone (a server kill). The claim on its
 * ranges is released either way: a read changes nothing, so a write may go ahead even while an
 * aborted read's buffer is still held.
 */
async function checkedRead<T>(
  ctx: OpContext,
  to: Destination,
  claim: NonNullable<ReturnType<RangeClaims['tryClaim']>>,
  info: RequestInfo,
  send: (signal: AbortSignal | undefined) => Promise<T>,
  onResult: (result: T) => void,
): Promise<Step> {
  const abort = planAbort(ctx.random, ctx.abortRate);
  const ticket = ctx.begin(info, to.generation, to.handle);
  const request = send(abort.signal);
  abort.arm();
  if (abort.signal) ctx.stats.abortsSent++;
  try {
    const result = await request;
    ticket.settled();
    onResult(result);
    ticket.end();
  } catch (error) {
    ticket.settled();
    if (await ctx.settleError(error, info, abort.signal?.aborted ?? false, ticket)) return 'reset';
  } finally {
    to.file.claims.release(claim);
  }
  return 'done';
}

/**
 * `writeAt` of fresh bytes at a random place inside the file (`repair`: over an unknown range,
 * never aborted, so that unknown bytes become checkable again). The model learns what landed:
 * a completed write's bytes; for an abort, once the backend let go of the buffer, that the
 * whole range is unknown; for a failure, what it says it transferred, the rest unknown.
 */
export async function writeAtOp(ctx: OpContext, to: Destination, repair: boolean): Promise<Step> {
  const { model, claims } = to.file;
  let position: number;
  let length: number;
  if (repair) {
    const unknown = model.unknown.ranges;
    if (unknown.length === 0) return 'idle';
    const range = unknown[ctx.random.int(unknown.length)]!;
    position = range.start;
    length = Math.min(range.end - range.start, ctx.maxIo);
  } else {
    position = ctx.random.int(model.size);
    length = Math.min(ioLength(ctx.random, ctx.maxIo), model.size - position);
  }
  const claim = claims.tryClaim([{ start: position, end: position + length }], true);
  if (claim === null) return 'idle';
  const op = repair ? 'repair' : 'writeAt';
  const info = { target: ctx.target, op, file: model.name, position, length };
  const data = ctx.writeData(length);
  const abort = repair ? planAbort(ctx.random, 0) : planAbort(ctx.random, ctx.abortRate);
  const ticket = ctx.begin(info, to.generation, to.handle);
  const request = to.handle.writeAt(position, data, { signal: abort.signal });
  abort.arm();
  if (abort.signal) ctx.stats.abortsSent++;
  try {
    const written = await request;
    ticket.settled();
    model.writeSettled(position, data, written);
    if (written < length) ctx.stats.partialWrites++;
    ctx.stats.ops[op]++;
    ticket.end();
  } catch (error) {
    ticket.settled();
    // Held until the backend let go (an aborted write may land until then), then accounted for.
    const reset = await ctx.settleError(error, info, abort.signal?.aborted ?? false, ticket);
    if (isAbort(error)) {
      model.writeUnknown(position, length);
    } else {
      model.writeSettled(position, data, (error as { bytesTransferred?: number }).bytesTransferred ?? 0);
      ctx.stats.partialWrites++;
    }
    if (reset) return 'reset';
  } finally {
    claims.release(claim);
  }
  return 'done';
}
