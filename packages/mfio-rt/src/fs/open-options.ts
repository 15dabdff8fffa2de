import { checkOptions, errnoOf, invalidArgType, MfioError } from '@mfio/core';

/**
 * How to open a file, as in Rust's `std::fs::OpenOptions`. Omitted flags are false; omitting the
 * whole object means `{ read: true }`.
 *
 * Rules (checked before any I/O, failing with EINVAL whose message names the option and the
 * rule): at least one of `read`, `write`, `append`; `create`, `createNew` and `truncate` need
 * `write` or `append`; `truncate` cannot be combined with `append`, nor `direct` with `append`.
 * `createNew` wins over `create` and `truncate`. Any other key (Node's `flags`, a typo) fails
 * with ERR_INVALID_ARG_VALUE.
 */
export interface OpenOptions {
  /** Open for reading. */
  read?: boolean;
  /** Open for writing. */
  write?: boolean;
  /** Open for writing at the end: every write lands at the end of the file. */
  append?: boolean;
  /** Create the file if it does not exist. */
  create?: boolean;
  /** Create the file, failing with EEXIST if it exists. */
  createNew?: boolean;
  /** Truncate the file to 0 bytes when opening. */
  truncate?: boolean;
  /**
   * Unbuffered I/O: bypass the page cache (`O_DIRECT` on Linux, `FILE_FLAG_NO_BUFFERING` on
   * Windows) on the native backends and libuv on Linux. Reads and writes still take any position
   * and length: aligned requests into aligned memory go straight to the device, others through
   * aligned bounce buffers (unaligned writes are read-modify-write of whole blocks, serialized per
   * block). `true` fails the open (EINVAL, saying so) where the filesystem or backend refuses it;
   * `'prefer'` opens buffered there instead, and `FileHandle.directIo` tells which it got.
   * Not with `append`. See docs/direct-io.md.
   * @defaultValue false
   */
  direct?: boolean | 'prefer';
}

/** Validated open flags, every field present: what a driver receives. */
export interface OpenFlags {
  /** Open for reading. */
  readonly read: boolean;
  /** Open for writing. */
  readonly write: boolean;
  /** Every write goes to the end of the file (O_APPEND); implies writing. */
  readonly append: boolean;
  /** Create the file if it does not exist (O_CREAT). */
  readonly create: boolean;
  /** Create the file, failing with EEXIST if it exists (O_CREAT | O_EXCL). */
  readonly createNew: boolean;
  /** Cut an existing file to 0 bytes (O_TRUNC). */
  readonly truncate: boolean;
  /** What the caller asked for; a driver opens with O_DIRECT only when this is `true`. */
  readonly direct: boolean | 'prefer';
}

const FLAG_NAMES = ['read', 'write', 'append', 'create', 'createNew', 'truncate'] as const;

/**
 * Validate open options and fill in the defaults.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE for a non-object or a non-boolean flag;
 * ERR_INVALID_ARG_VALUE for an unknown option; EINVAL for an invalid combination (with
 * `syscall: 'open'` and the path, when given), its message saying which rule it breaks.
 * @example toOpenFlags({ write: true, create: true }) // { read: false, write: true, create: true, ... }
 */
export function toOpenFlags(options: OpenOptions | undefined, path?: string): OpenFlags {
  if (options === undefined) options = { read: true };
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
  if ('flags' in options) {
    throw new MfioError(
      'ERR_INVALID_ARG_VALUE',
      `The option "options.flags" is Node's, not mfio's: say { read, write, append, create, createNew, truncate, direct } (for 'r': { read: true }), or use @mfio/rt/promises, which takes Node's flags`,
    );
  }
  checkOptions(options, [...FLAG_NAMES, 'direct']);
  for (const name of FLAG_NAMES) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'boolean') throw invalidArgType(`options.${name}`, 'of type boolean', value);
  }
  const direct = options.direct;
  if (direct !== undefined && typeof direct !== 'boolean' && direct !== 'prefer') {
    throw invalidArgType('options.direct', "of type boolean or 'prefer'", direct);
  }
  const flags: OpenFlags = {
    read: options.read === true,
    write: options.write === true,
    append: options.append === true,
    create: options.create === true,
    createNew: options.createNew === true,
    truncate: options.truncate === true,
    direct: direct ?? false,
  };
  const writes = flags.write || flags.append;
  // The flag that needs writing first: `{ create: true }` is a missing `write`, not "no access".
  for (const name of ['create', 'createNew', 'truncate'] as const) {
    if (!writes && flags[name]) throw invalidFlags(`"${name}" needs "write" or "append"`, path);
  }
  if (!flags.read && !writes) throw invalidFlags('no access: set at least one of "read", "write" or "append"', path);
  if (flags.append && flags.truncate && !flags.createNew) throw invalidFlags('"truncate" cannot be combined with "append"', path);
  // O_APPEND writes land wherever the end is, which direct I/O needs block-aligned.
  if (flags.append && flags.direct !== false) throw invalidFlags('"direct" cannot be combined with "append" (appends land at unaligned ends)', path);
  return flags;
}

/** EINVAL for `open`, as the OS would answer, with the rule broken in the message. */
function invalidFlags(rule: string, path: string | undefined): MfioError {
  const where = path === undefined ? '' : ` '${path}'`;
  return new MfioError('EINVAL', `EINVAL: invalid open options, ${rule}, open${where}`, { syscall: 'open', path, errno: errnoOf('EINVAL') });
}
