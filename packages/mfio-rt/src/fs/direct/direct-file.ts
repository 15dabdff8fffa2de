import { MfioError, Packet, type PacketResult, type PacketView, type ReadBatch } from '@mfio/core';
import { systemError } from '../../errors.js';
import type { RawFile } from '../driver.js';
import type { Metadata } from '../types.js';
import { bouncePool } from './bounce-pool.js';
import type { DirectAlignment, DirectIoStats } from './direct-types.js';
import { RangeLock } from './range-lock.js';

/** A merged read of a batch covers at most this much (scratch per group stays small). */
const MAX_GROUP = 1 << 20;

/**
 * A failure of one of a write's steps (a block read, the block write, the cut back) as the
 * write's own: its syscall and the caller's position, the errno kept.
 */
function asWriteError(error: unknown, path: string, position: number): MfioError {
  if (error instanceof MfioError && error.errno !== undefined) return MfioError.fromErrno(error.errno, { syscall: 'write', path, position, cause: error });
  return MfioError.from(error, { syscall: 'write', path, position });
}

/**
 * A file opened for direct I/O (O_DIRECT): takes requests at any position and length and
 * hands the file only what it accepts, whole blocks at aligned positions from aligned memory.
 *
 * - Reads that are already aligned (position, length and memory) and end inside the file go
 *   straight through. Others read the blocks around them into a page-aligned bounce buffer and
 *   copy out only the requested bytes; a readMany batch reads each run of requests that share
 *   or touch blocks as one bounce.
 * - Writes are ordered per block (a {@link RangeLock}): two writes that touch one block run in
 *   the order they were made, so neither loses the other's bytes. An unaligned write reads its
 *   first and last blocks (zeros past the end), patches in its bytes and writes the blocks back.
 *   A write that reaches past the file's length pads its last block and then cuts the file back
 *   to where the write ends; while it does, reads past the old length stop at it, so the padding
 *   is never seen.
 *
 * The length is this handle's own view of the file: another writer extending the file while
 * this handle writes past the end is not coordinated with (as with two processes appending).
 */
export class DirectFile implements RawFile {
  readonly #inner: RawFile;
  readonly #path: string;
  readonly #block: number;
  readonly #memory: number;
  readonly #pageOffset: (bytes: Uint8Array) => number;
  readonly alignment: DirectAlignment;
  readonly #locks = new RangeLock();
  /** The file's length as this handle knows it (from the open, then its own writes). */
  #size: number;
  /** Writes reaching past `#size` in progress, and how many ever started (for reads racing one). */
  #growing = 0;
  #grown = 0;
  /** `setLen` calls made and not finished: a write made meanwhile may find the file shorter. */
  #resizing = 0;
  /** Bounce reads and block writes in progress: close waits for them before the inner close. */
  #ops = 0;
  #onIdle: (() => void) | null = null;
  readonly #stats = { readRequested: 0, readFromDevice: 0, writeRequested: 0, writtenToDevice: 0, bounced: 0, straight: 0 };

  constructor(inner: RawFile, path: string, alignment: DirectAlignment, size: number, pageOffset: (bytes: Uint8Array) => number) {
    this.#inner = inner;
    this.#path = path;
    this.alignment = alignment;
    this.#block = alignment.offset;
    this.#memory = alignment.memory;
    this.#size = size;
    this.#pageOffset = pageOffset;
  }

  /** Bytes asked for and bytes moved by the device so far, with the alignment in use. */
  stats(): DirectIoStats {
    return { ...this.alignment, ...this.#stats };
  }

  #aligned(position: number, bytes: Uint8Array): boolean {
    const b = this.#block;
    return position % b === 0 && bytes.length % b === 0 && this.#pageOffset(bytes) % this.#memory === 0;
  }

  sendIo(position: number, view: PacketView): void {
    if (view.length === 0) {
      view.complete(0);
      return;
    }
    if (view.direction === 'write') {
      this.#stats.writeRequested += view.length;
      this.#write(position, view);
      return;
    }
    this.#stats.readRequested += view.length;
    // Within the length no write of this handle can have padding there: nothing to clamp.
    if (position + view.length <= this.#size && this.#aligned(position, view.bytes())) {
      this.#stats.straight++;
      this.#stats.readFromDevice += view.length;
      this.#inner.sendIo(position, view);
      return;
    }
    this.#stats.bounced++;
    this.#bounceRead(
      position,
      view.length,
      (bytes, got, error) => {
        // The caller gave up (a backend that cannot cancel still read): its buffer stays as it was.
        if (view.packet.cancelled) return view.fail(systemError('ECANCELED', { syscall: 'read', path: this.#path, position }));
        if (got > 0) view.bytes().set(bytes.subarray(0, got));
        if (error === null || got === view.length) view.complete(got);
        else if (got === 0) view.fail(error);
        else {
          const [head, tail] = view.splitAt(got);
          head.complete();
          tail.fail(error);
        }
      },
      view.packet,
    );
  }

  /**
   * Read the blocks around `[position, position + length)` into a bounce buffer and hand `done`
   * the requested bytes (valid only during the call), how many there are (short at the end of
   * the file) and the error that stopped it short, if any.
   */
  #bounceRead(
    position: number,
    length: number,
    done: (bytes: Uint8Array, got: number, error: MfioError | null) => void,
    owner: { onCancel(handler: () => void): void },
  ): void {
    const b = this.#block;
    const start = Math.floor(position / b) * b;
    const end = Math.ceil((position + length) / b) * b;
    const bounce = bouncePool.take(end - start);
    // A write past the end running now, or starting before this read completes, may have
    // padding on the device beyond the length this handle will report: stop reads at it.
    const racing = this.#growing > 0;
    const grown = this.#grown;
    this.#started();
    const packet = new Packet(bounce.subarray(0, end - start), 'read', {
      onSettle: (p) => {
        const { transferred, error } = p.result();
        this.#stats.readFromDevice += transferred;
        const skip = position - start;
        let got = Math.max(0, Math.min(length, transferred - skip));
        if (racing || this.#growing > 0 || this.#grown !== grown) got = Math.min(got, Math.max(0, this.#size - position));
        try {
          done(bounce.subarray(skip, skip + got), got, error === null ? null : error);
        } finally {
          bouncePool.give(bounce);
          this.#finished();
        }
      },
    });
    owner.onCancel(() => packet.cancel());
    this.#inner.sendIo(start, packet.view());
  }

  readBatch(batch: ReadBatch): void {
    const { positions, lengths, offsets, buffer, count } = batch;
    const order: number[] = [];
    for (let i = 0; i < count; i++) {
      if (lengths[i] === 0) batch.complete(i, 0);
      else order.push(i);
    }
    order.sort((x, y) => positions[x]! - positions[y]!);
    const b = this.#block;
    // Runs of requests whose blocks overlap or touch, each read once through a bounce.
    for (let k = 0; k < order.length;) {
      const first = order[k]!;
      const start = Math.floor(positions[first]! / b) * b;
      let end = Math.ceil((positions[first]! + lengths[first]!) / b) * b;
      const members = [first];
      for (k++; k < order.length; k++) {
        const i = order[k]!;
        const from = Math.floor(positions[i]! / b) * b;
        const to = Math.max(end, Math.ceil((positions[i]! + lengths[i]!) / b) * b);
        if (from > end || to - start > MAX_GROUP) break;
        end = to;
        members.push(i);
      }
      for (const i of members) this.#stats.readRequested += lengths[i]!;
      this.#stats.bounced++;
      this.#bounceRead(
        start,
        end - start,
        (bytes, got, error) => {
          for (const i of members) {
            if (batch.cancelled) {
              batch.fail(i, systemError('ECANCELED', { syscall: 'read', path: this.#path, position: positions[i]! }));
              continue;
            }
            const skip = positions[i]! - start;
            const mine = Math.max(0, Math.min(lengths[i]!, got - skip));
            if (mine > 0) buffer.set(bytes.subarray(skip, skip + mine), offsets[i]);
            if (error === null || mine === lengths[i]) batch.complete(i, mine);
            else batch.fail(i, error, mine);
          }
        },
        batch,
      );
    }
  }

  #write(position: number, view: PacketView): void {
    const b = this.#block;
    const length = view.length;
    const end = position + length;
    const start = Math.floor(position / b) * b;
    const blocksEnd = Math.ceil(end / b) * b;
    // Decided before the lock: a setLen ahead of this write may shrink the file, so then it
    // counts as reaching past the end too (and cuts the file back if it does).
    const grows = blocksEnd > this.#size || this.#resizing > 0;
    this.#started();
    // A write past the end also orders itself after every later block: it cuts the file back.
    this.#locks.acquire(start, grows ? Infinity : blocksEnd, (release) => {
      if (grows) {
        this.#growing++;
        this.#grown++;
      }
      let bounce: Buffer | null = null;
      const finish = (error: unknown): void => {
        if (bounce !== null) bouncePool.give(bounce);
        if (grows) this.#growing--;
        release();
        try {
          if (error === null) view.complete(length);
          else view.fail(asWriteError(error, this.#path, position));
        } finally {
          this.#finished();
        }
      };
      const cutBack = (): void => {
        if (!grows) return finish(null);
        const size = Math.max(this.#size, end);
        if (blocksEnd <= size) {
          this.#size = size;
          return finish(null);
        }
        this.#setLenThen(size, (error) => {
          if (error === null) this.#size = size;
          finish(error);
        });
      };
      try {
        if (view.packet.cancelled) return finish(systemError('ECANCELED', { syscall: 'write', path: this.#path, position }));
        const bytes = view.bytes();
        if (position === start && end === blocksEnd && this.#pageOffset(bytes) % this.#memory === 0) {
          this.#stats.straight++;
          return this.#writeBlocksThen(bytes, start, (error) => (error === null ? cutBack() : finish(error)));
        }
        this.#stats.bounced++;
        bounce = bouncePool.take(blocksEnd - start);
        const blocks = bounce.subarray(0, blocksEnd - start);
        // The partial blocks at either end are read first (one read if they are the same block).
        const partial: number[] = [];
        if (position !== start) partial.push(start);
        const last = blocksEnd - b;
        if (end !== blocksEnd && (last !== start || position === start)) partial.push(last);
        const next = (k: number): void => {
          if (k < partial.length) {
            this.#readBlockThen(blocks, partial[k]! - start, partial[k]!, (error) => (error === null ? next(k + 1) : finish(error)));
            return;
          }
          blocks.set(bytes, position - start);
          this.#writeBlocksThen(blocks, start, (error) => (error === null ? cutBack() : finish(error)));
        };
        next(0);
      } catch (error) {
        finish(error);
      }
    });
  }

  /** Send `bytes` to the inner file; `done` runs when the kernel is done with them. */
  #transferThen(direction: 'read' | 'write', bytes: Uint8Array, position: number, done: (result: PacketResult) => void): void {
    const packet = new Packet(bytes, direction, { onSettle: (p) => done(p.result()) });
    this.#inner.sendIo(position, packet.view());
  }

  /** One block of the file at `position` into `blocks` at `offset`; zeros past the end. */
  #readBlockThen(blocks: Uint8Array, offset: number, position: number, done: (error: MfioError | null) => void): void {
    const target = blocks.subarray(offset, offset + this.#block);
    this.#transferThen('read', target, position, ({ transferred, error }) => {
      this.#stats.readFromDevice += transferred;
      if (error === null) target.fill(0, transferred);
      done(error);
    });
  }

  #writeBlocksThen(blocks: Uint8Array, position: number, done: (error: MfioError | null) => void): void {
    this.#transferThen('write', blocks, position, ({ transferred, error }) => {
      this.#stats.writtenToDevice += transferred;
      if (error !== null) done(error);
      else if (transferred < blocks.length) done(systemError('EIO', { syscall: 'write', path: this.#path, position: position + transferred }));
      else done(null);
    });
  }

  /**
   * Cut the file to `length` for a write that padded past it. Synchronously where the inner file
   * can (an ftruncate of a few bytes within a block, no data to flush), so that a write driven by
   * a sync wrapper's blocking loop finishes there; else through the inner file's async setLen.
   */
  #setLenThen(length: number, done: (error: unknown) => void): void {
    const inner = this.#inner;
    if (inner.setLenSync !== undefined) {
      let error: unknown = null;
      try {
        inner.setLenSync(length);
      } catch (e) {
        error = e;
      }
      done(error);
      return;
    }
    inner.setLen(length).then(
      () => done(null),
      (error: unknown) => done(error),
    );
  }

  metadata(): Promise<Metadata> {
    return this.#inner.metadata();
  }

  async setLen(length: number): Promise<void> {
    // Counted from the call, not from the lock: close must wait for a setLen queued behind a write.
    this.#started();
    this.#resizing++;
    try {
      // Orders itself after every write in progress and before every later one.
      const release = await new Promise<() => void>((granted) => this.#locks.acquire(0, Infinity, granted));
      try {
        await this.#inner.setLen(length);
        this.#size = length;
      } finally {
        release();
      }
    } finally {
      this.#resizing--;
      this.#finished();
    }
  }

  sync(): Promise<void> {
    return this.#inner.sync();
  }

  datasync(): Promise<void> {
    return this.#inner.datasync !== undefined ? this.#inner.datasync() : this.#inner.sync();
  }

  #started(): void {
    this.#ops++;
  }

  #finished(): void {
    if (--this.#ops === 0 && this.#onIdle !== null) this.#onIdle();
  }

  async close(): Promise<void> {
    // A write between its block read and its block write still needs the descriptor.
    if (this.#ops > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    await this.#inner.close();
  }
}
