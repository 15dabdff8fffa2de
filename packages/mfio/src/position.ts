import { invalidArgType, outOfRange } from './errors.js';

/** A file position: a number up to 2^53 - 1, or a bigint in the same range. */
export type Position = number | bigint;

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Validate a position (and, with `length`, that `position + length` stays exact) and return it
 * as a number. Backends take positions as numbers; bigint is accepted at the API edge.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE
 */
export function toPosition(value: unknown, length = 0, name = 'position'): number {
  let pos: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
    pos = value;
  } else if (typeof value === 'bigint') {
    if (value < 0n || value > BigInt(MAX)) throw outOfRange(name, `>= 0 and <= ${MAX}`, value);
    pos = Number(value);
  } else {
    throw invalidArgType(name, 'of type number or bigint', value);
  }
  if (pos < 0 || pos + length > MAX) throw outOfRange(name, `>= 0 and <= ${MAX - length}`, value);
  return pos;
}

/** Validate a byte count. @throws {MfioError} ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE */
export function toLength(value: unknown, name = 'length', max = MAX): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw outOfRange(name, `an integer >= 0 and <= ${max}`, value);
  return value;
}
