import type { Readable, Writable } from 'node:stream';
import type { ReadableStream, WritableStream } from 'node:stream/web';
import type { WriteSource } from './arguments.js';
import { checkArgumentCount } from './options.js';
import { chunks, readToEnd, type ChunkOptions, type ReadToEndOptions } from './chunks.js';
import { createReadStream, createWriteStream, type ReadStreamOptions, type WriteStreamOptions } from './node-streams.js';
import type { PacketView } from './packet.js';
import type { IoBackend, PacketIo } from './packet-io.js';
import type { Position } from './position.js';
import type { ReadAllocator } from './read-allocator.js';
import { writeMany, type WriteRequest } from './write-many.js';
import { readMany, type ReadColumns, type ReadManyOptions, type ReadManyResult, type ReadRequest } from './read-many.js';
import { readAt, readExactAt, writeAllAt, writeAt } from './read-write.js';
import { readAtSync, readExactAtSync, writeAllAtSync, writeAtSync } from './read-write-sync.js';
import type { IoOptions } from './submit.js';
import { readableWebStream, writableWebStream } from './web-streams.js';

/**
 * A `PacketIo` addressed by file position, with the whole high-level API as methods. Backends'
 * file handles extend it; {@link positional} wraps any other `PacketIo<number>`.
 * Each method is the free function of the same name applied to `this`.
 */
export abstract class PositionalIo implements PacketIo<number> {
  abstract sendIo(position: number, view: PacketView): void;
  abstract readonly backend: IoBackend | undefined;
  /**
   * Where `readAt(pos, length)`, `readMany` without `into` and the streams get the buffers they
   * read into; absent, the library's default allocator serves. See {@link PacketIo.readAllocator}.
   */
  // `declare`: a subclass's getter or field provides it.
  declare readonly readAllocator?: ReadAllocator;

  /** {@inheritDoc @mfio/core!readAt:function} */
  readAt(position: Position, length: number, options?: IoOptions): Promise<Buffer>;
  readAt(position: Position, buffer: Uint8Array, options?: IoOptions): Promise<number>;
  readAt(position: Position, target: number | Uint8Array, options?: IoOptions): Promise<Buffer | number> {
    checkArgumentCount('readAt', arguments.length, 3);
    return readAt(this, position, target as number, options);
  }

  /** {@inheritDoc @mfio/core!readExactAt:function} */
  readExactAt(position: Position, length: number, options?: IoOptions): Promise<Buffer>;
  readExactAt(position: Position, buffer: Uint8Array, options?: IoOptions): Promise<void>;
  readExactAt(position: Position, target: number | Uint8Array, options?: IoOptions): Promise<Buffer | void> {
    checkArgumentCount('readExactAt', arguments.length, 3);
    return readExactAt(this, position, target as number, options);
  }

  /** {@inheritDoc @mfio/core!writeAt:function} */
  writeAt(position: Position, data: WriteSource, options?: IoOptions): Promise<number> {
    checkArgumentCount('writeAt', arguments.length, 3);
    return writeAt(this, position, data, options);
  }

  /** {@inheritDoc @mfio/core!writeAllAt:function} */
  writeAllAt(position: Position, data: WriteSource, options?: IoOptions): Promise<void> {
    checkArgumentCount('writeAllAt', arguments.length, 3);
    return writeAllAt(this, position, data, options);
  }

  /** {@inheritDoc @mfio/core!writeMany:function} */
  writeMany(requests: readonly WriteRequest[], options?: IoOptions): Promise<void> {
    checkArgumentCount('writeMany', arguments.length, 2);
    return writeMany(this, requests, options);
  }

  /** {@inheritDoc @mfio/core!readMany:function} */
  readMany(requests: readonly ReadRequest[] | ReadColumns, options?: ReadManyOptions): Promise<ReadManyResult> {
    checkArgumentCount('readMany', arguments.length, 2);
    return readMany(this, requests, options);
  }

  /** {@inheritDoc @mfio/core!readToEnd:function} */
  readToEnd(position?: Position, options?: ReadToEndOptions): Promise<Buffer> {
    checkArgumentCount('readToEnd', arguments.length, 2);
    return readToEnd(this, position, options);
  }

  /** {@inheritDoc @mfio/core!chunks:function} */
  chunks(options?: ChunkOptions): AsyncIterableIterator<Buffer> {
    checkArgumentCount('chunks', arguments.length, 1);
    return chunks(this, options);
  }

  /** {@inheritDoc @mfio/core!createReadStream:function} */
  createReadStream(options?: ReadStreamOptions): Readable {
    checkArgumentCount('createReadStream', arguments.length, 1);
    return createReadStream(this, options);
  }

  /** {@inheritDoc @mfio/core!createWriteStream:function} */
  createWriteStream(options?: WriteStreamOptions): Writable {
    checkArgumentCount('createWriteStream', arguments.length, 1);
    return createWriteStream(this, options);
  }

  /** {@inheritDoc @mfio/core!readableWebStream:function} */
  readableWebStream(options?: ChunkOptions): ReadableStream<Uint8Array> {
    checkArgumentCount('readableWebStream', arguments.length, 1);
    return readableWebStream(this, options);
  }

  /** {@inheritDoc @mfio/core!writableWebStream:function} */
  writableWebStream(options?: Omit<WriteStreamOptions, 'highWaterMark'>): WritableStream<Uint8Array> {
    checkArgumentCount('writableWebStream', arguments.length, 1);
    return writableWebStream(this, options);
  }

  /** {@inheritDoc @mfio/core!readAtSync:function} */
  readAtSync(position: Position, length: number): Buffer;
  readAtSync(position: Position, buffer: Uint8Array): number;
  readAtSync(position: Position, target: number | Uint8Array): Buffer | number {
    checkArgumentCount('readAtSync', arguments.length, 2);
    return readAtSync(this, position, target as number);
  }

  /** {@inheritDoc @mfio/core!readExactAtSync:function} */
  readExactAtSync(position: Position, length: number): Buffer;
  readExactAtSync(position: Position, buffer: Uint8Array): void;
  readExactAtSync(position: Position, target: number | Uint8Array): Buffer | void {
    checkArgumentCount('readExactAtSync', arguments.length, 2);
    return readExactAtSync(this, position, target as number);
  }

  /** {@inheritDoc @mfio/core!writeAtSync:function} */
  writeAtSync(position: Position, data: WriteSource): number {
    checkArgumentCount('writeAtSync', arguments.length, 2);
    return writeAtSync(this, position, data);
  }

  /** {@inheritDoc @mfio/core!writeAllAtSync:function} */
  writeAllAtSync(position: Position, data: WriteSource): void {
    checkArgumentCount('writeAllAtSync', arguments.length, 2);
    writeAllAtSync(this, position, data);
  }
}

class WrappedIo extends PositionalIo {
  readonly #inner: PacketIo<number>;
  override readonly readAllocator: ReadAllocator | undefined;

  constructor(inner: PacketIo<number>) {
    super();
    this.#inner = inner;
    this.readAllocator = inner.readAllocator;
  }

  get backend(): IoBackend | undefined {
    return this.#inner.backend;
  }

  sendIo(position: number, view: PacketView): void {
    this.#inner.sendIo(position, view);
  }
}

/** Give any `PacketIo<number>` the high-level API as methods. */
export function positional(io: PacketIo<number>): PositionalIo {
  return io instanceof PositionalIo ? io : new WrappedIo(io);
}
