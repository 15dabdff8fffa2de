import { readBuffer, readResult, writeBytes, type ReadTarget, type WriteSource } from './arguments.js';
import type { PacketIo } from './packet-io.js';
import { toPosition, type Position } from './position.js';
import type { AllocationHints } from './read-allocator.js';
import { checkExact, writeAllSteps } from './read-write.js';
import { runPacketSync, transferredOrThrow } from './submit.js';

/** A sync loop never lets the event loop turn: no memory that only a later turn gives back. */
const SYNC: AllocationHints = { sync: true };

/**
 * Blocking {@link readAt}: for backends that can block on one completion (native files,
 * in-memory). Other completions that arrive meanwhile are delivered as usual.
 * @throws {MfioError} ERR_MFIO_CANNOT_BLOCK on backends that cannot block, or the I/O error.
 */
export function readAtSync(io: PacketIo<number>, position: Position, length: number): Buffer;
export function readAtSync(io: PacketIo<number>, position: Position, buffer: Uint8Array): number;
export function readAtSync(io: PacketIo<number>, position: Position, target: ReadTarget): Buffer | number {
  const buffer = readBuffer(target, io.readAllocator, SYNC);
  const n = transferredOrThrow(runPacketSync(io, toPosition(position, buffer.length), buffer, 'read'));
  return typeof target === 'number' ? readResult(buffer, n) : n;
}

/** Blocking {@link readExactAt}. @throws {MfioError} ERR_UNEXPECTED_EOF on a short read. */
export function readExactAtSync(io: PacketIo<number>, position: Position, length: number): Buffer;
export function readExactAtSync(io: PacketIo<number>, position: Position, buffer: Uint8Array): void;
export function readExactAtSync(io: PacketIo<number>, position: Position, target: ReadTarget): Buffer | void {
  const buffer = readBuffer(target, io.readAllocator, SYNC);
  const n = readAtSync(io, position, buffer);
  checkExact(n, buffer.length, position);
  if (typeof target === 'number') return readResult(buffer, n);
}

/** Blocking {@link writeAt}. */
export function writeAtSync(io: PacketIo<number>, position: Position, data: WriteSource): number {
  const bytes = writeBytes(data);
  return transferredOrThrow(runPacketSync(io, toPosition(position, bytes.length), bytes, 'write'));
}

/** Blocking {@link writeAllAt}. */
export function writeAllAtSync(io: PacketIo<number>, position: Position, data: WriteSource): void {
  const bytes = writeBytes(data);
  const steps = writeAllSteps(toPosition(position, bytes.length), bytes);
  for (let step = steps.next(); !step.done;) {
    const [pos, chunk] = step.value;
    step = steps.next(runPacketSync(io, pos, chunk, 'write'));
  }
}
