/**
 * @mfio/core: completion I/O for Node.js. Packets own buffers while a backend fills or drains
 * them; `PacketIo` is the one interface every backend implements; the high-level API (readAt,
 * writeAt, readMany, streams, sync wrappers) works on any of them.
 * @packageDocumentation
 */
export { MfioError, abortError, errnoOf, invalidArgType, outOfRange, type ErrorContext } from './errors.js';
export {
  CONNECT_ERROR_CODES,
  MFIO_CODES,
  SYSTEM_ERROR_CODES,
  isSystemErrorCode,
  type ConnectErrorCode,
  type MfioCode,
  type MfioErrorCode,
  type SystemErrorCode,
} from './error-codes.js';
export { Packet, PacketView, type Direction, type FragmentObserver, type PacketOptions, type PacketResult } from './packet.js';
export type { InFlightRequest, IoBackend, PacketIo } from './packet-io.js';
export { toLength, toPosition, type Position } from './position.js';
export { awaitPacket, runPacket, runPacketSync, sendView, transferredOrThrow, type IoOptions } from './submit.js';
export { asBuffer, readBuffer, readResult, writeBytes, type ReadTarget, type WriteSource } from './arguments.js';
export { SlabAllocator, defaultReadAllocator, type AllocationHints, type ReadAllocator, type SlabAllocatorOptions } from './read-allocator.js';
export { readAt, readExactAt, writeAllAt, writeAt } from './read-write.js';
export { readAtSync, readExactAtSync, writeAllAtSync, writeAtSync } from './read-write-sync.js';
export { ReadManyResult, readMany, type ReadColumns, type ReadManyOptions, type ReadRequest } from './read-many.js';
export { writeMany, type WriteRequest } from './write-many.js';
export { ReadBatch, isBatchReadIo, type BatchReadIo } from './read-batch.js';
export { chunks, readToEnd, type ChunkOptions, type ReadToEndOptions } from './chunks.js';
export { PositionalWriter, type PositionalWriterOptions } from './positional-writer.js';
export { createReadStream, createWriteStream, type ReadStreamOptions, type WriteStreamOptions } from './node-streams.js';
export { readableWebStream, writableWebStream } from './web-streams.js';
export { PositionalIo, positional } from './positional-io.js';
export { MemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.js';
export { MemoryFile, type MemoryFileOptions } from './memory/memory-file.js';
export { SeededRandom } from './seeded-random.js';
export { asyncDispose, dispose } from './dispose.js';
export { checkArgumentCount, checkOptions, IO_OPTION_KEYS } from './options.js';
