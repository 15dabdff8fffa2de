import { constants as fsConstants } from 'node:fs';
import { MfioError, invalidArgType, outOfRange } from '@mfio/core';
import type { OpenOptions } from '../fs/open-options.js';

// Node's flag strings and what each asks of open(2). The `s` variants (O_SYNC) open the same
// way: the facade has no synchronous-write mode (see the README's table of differences).
const STRING_FLAGS: Readonly<Record<string, OpenOptions>> = {
  r: { read: true },
  rs: { read: true },
  sr: { read: true },
  'r+': { read: true, write: true },
  'rs+': { read: true, write: true },
  'sr+': { read: true, write: true },
  w: { write: true, create: true, truncate: true },
  wx: { write: true, createNew: true },
  xw: { write: true, createNew: true },
  'w+': { read: true, write: true, create: true, truncate: true },
  'wx+': { read: true, write: true, createNew: true },
  'xw+': { read: true, write: true, createNew: true },
  a: { append: true, create: true },
  ax: { append: true, createNew: true },
  xa: { append: true, createNew: true },
  as: { append: true, create: true },
  sa: { append: true, create: true },
  'a+': { read: true, append: true, create: true },
  'ax+': { read: true, append: true, createNew: true },
  'xa+': { read: true, append: true, createNew: true },
  'as+': { read: true, append: true, create: true },
  'sa+': { read: true, append: true, create: true },
};

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND } = fsConstants;
const ACCESS_MODE = O_RDONLY | O_WRONLY | O_RDWR;
/** Bits of a numeric flag the facade understands; any other bit is refused, not dropped. */
const KNOWN_BITS = ACCESS_MODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND;

/**
 * Node's `flags` argument (`'r'`, `'w+'`, `fs.constants.O_RDWR | O_CREAT`, ...) as mfio open options.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE for an unknown string or a numeric flag with bits
 * the facade does not carry (O_DIRECT, O_NOFOLLOW, ...); ERR_INVALID_ARG_TYPE otherwise.
 */
export function toOpenOptions(flags: unknown, fallback: string): OpenOptions {
  if (flags === undefined || flags === null) flags = fallback;
  if (typeof flags === 'string') {
    const options = STRING_FLAGS[flags];
    if (options === undefined || !Object.hasOwn(STRING_FLAGS, flags)) {
      throw new MfioError('ERR_INVALID_ARG_VALUE', `The argument 'flags' is invalid. Received '${flags}'`);
    }
    return options;
  }
  if (typeof flags !== 'number') throw invalidArgType('flags', 'of type string or number', flags);
  if (!Number.isInteger(flags)) throw outOfRange('flags', 'an integer', flags);
  if ((flags & ~KNOWN_BITS) !== 0) {
    throw new MfioError(
      'ERR_INVALID_ARG_VALUE',
      `The argument 'flags' has bits the facade cannot open with (0o${(flags & ~KNOWN_BITS).toString(8)}): it takes O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC and O_APPEND. Received ${flags}`,
    );
  }
  const access = flags & ACCESS_MODE;
  const writes = access === O_WRONLY || access === O_RDWR;
  // O_APPEND only says where writes land: on a read-only descriptor there are none (EBADF).
  const append = writes && (flags & O_APPEND) !== 0;
  return {
    read: access === O_RDONLY || access === O_RDWR,
    write: writes && !append,
    append,
    create: (flags & O_CREAT) !== 0 && (flags & O_EXCL) === 0,
    createNew: (flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0,
    truncate: (flags & O_TRUNC) !== 0,
  };
}

/**
 * Node's `mode` argument: an integer or an octal string, default `0o666`.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE for a string that is not octal; ERR_OUT_OF_RANGE
 * outside 0..0o777777777777 (Node's bound); ERR_INVALID_ARG_TYPE otherwise.
 */
export function toMode(mode: unknown, fallback = 0o666): number {
  if (mode === undefined || mode === null) return fallback;
  if (typeof mode === 'string') {
    if (!/^[0-7]+$/.test(mode))
      throw new MfioError('ERR_INVALID_ARG_VALUE', `The argument 'mode' must be a 32-bit unsigned integer or an octal string. Received '${mode}'`);
    mode = Number.parseInt(mode, 8);
  }
  if (typeof mode !== 'number') throw invalidArgType('mode', 'of type number', mode);
  if (!Number.isInteger(mode)) throw outOfRange('mode', 'an integer', mode);
  if (mode < 0 || mode > 0xffffffff) throw outOfRange('mode', '>= 0 && <= 4294967295', mode);
  return mode;
}
