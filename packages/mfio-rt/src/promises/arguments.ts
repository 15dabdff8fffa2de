import { inspect } from 'node:util';
import { MfioError, invalidArgType, outOfRange } from '@mfio/core';

/**
 * Node's argument checks for `fs/promises`, written against Node's observable behaviour (same
 * codes, same argument names), not copied from it.
 */

/** Node's `encoding` option: a name `Buffer` knows, or null/undefined for none. */
export function toEncoding(encoding: unknown, name = 'encoding'): BufferEncoding | undefined {
  if (encoding === undefined || encoding === null || encoding === 'buffer') return undefined;
  if (typeof encoding !== 'string' || !Buffer.isEncoding(encoding)) {
    throw new MfioError('ERR_INVALID_ARG_VALUE', `The argument '${name}' is invalid encoding. Received ${inspect(encoding)}`);
  }
  return encoding;
}

/** An options argument that may be an encoding string: `readFile(path, 'utf8')`. */
export function optionsOrEncoding<T extends { encoding?: unknown }>(options: unknown): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options === 'string') return { encoding: options } as T;
  if (typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
  return options as T;
}

/** A plain options object (null and undefined are none). */
export function optionsObject<T extends object>(options: unknown): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidArgType('options', 'of type object', options);
  return options as T;
}

/** An integer argument within bounds (Node's validateInteger). */
export function toInteger(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  return value;
}

/** An optional boolean option. */
export function toBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
  return value;
}

/**
 * A known Node option the facade cannot carry out: refused with a clear error, never ignored.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE naming the option and why.
 */
export function refuseOption(name: string, value: unknown, why: string): never {
  throw new MfioError('ERR_INVALID_ARG_VALUE', `The option '${name}' is not supported by @mfio/rt/promises (${why}). Received ${inspect(value)}`);
}

/**
 * A file position as `FileHandle.read` and `write` take it: a non-negative safe integer (or
 * bigint) is a position; anything else (null, -1, ...) means the handle's current position, as
 * Node 20 reads it.
 */
export function positionOrCurrent(position: unknown): number | null {
  if (typeof position === 'number' && Number.isSafeInteger(position) && position >= 0) return position;
  if (typeof position === 'bigint' && position >= 0n) {
    if (position > BigInt(Number.MAX_SAFE_INTEGER)) throw outOfRange('position', `>= 0 && <= ${Number.MAX_SAFE_INTEGER}`, position);
    return Number(position);
  }
  return null;
}
