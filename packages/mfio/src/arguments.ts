import { invalidArgType } from './errors.js';
import { toLength } from './position.js';
import { defaultReadAllocator, type AllocationHints, type ReadAllocator } from './read-allocator.js';
import { constants as bufferConstants } from 'node:buffer';

/** A read target: a length to allocate (returned as a Buffer) or a caller's buffer to fill. */
export type ReadTarget = number | Uint8Array;

/** Bytes to write: binary data, or a string written as UTF-8. */
export type WriteSource = ArrayBufferView | string;

/**
 * The buffer a read fills: the caller's, or for a length one from `allocator`, whose bytes are
 * unspecified until the read fills them: finish such a read with {@link readResult}.
 */
export function readBuffer(target: unknown, allocator: ReadAllocator = defaultReadAllocator, hints?: AllocationHints): Uint8Array {
  if (typeof target === 'number') return allocator.allocate(toLength(target, 'length', bufferConstants.MAX_LENGTH), hints);
  if (target instanceof Uint8Array) return target;
  throw invalidArgType('buffer', 'of type number or an instance of Uint8Array', target);
}

/**
 * The first `length` bytes of an allocated read buffer, as a Buffer; the bytes the read did not
 * fill are zeroed first, so its backing store never shows what the memory held before.
 */
export function readResult(bytes: Uint8Array, length: number): Buffer {
  if (length < bytes.length) bytes.fill(0, length);
  return Buffer.from(bytes.buffer, bytes.byteOffset, length);
}

/**
 * The bytes of a write's `data`: a Uint8Array as it is, another ArrayBufferView over the same
 * memory, a string as UTF-8.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE for anything else.
 */
export function writeBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  throw invalidArgType('data', 'of type string or an instance of ArrayBufferView', data);
}

/** The bytes read, as a Buffer over the same memory. */
export function asBuffer(bytes: Uint8Array, length: number): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, length);
}
