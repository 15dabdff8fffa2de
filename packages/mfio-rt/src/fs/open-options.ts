import { invalidArgType } from '@mfio/core';
import { systemError, systemErrorBecause } from '../errors.js';

/**
 * How to open a file, as in Rust's `std::fs::OpenOptions`. Omitted flags are false; omitting the
 * whole object means `{ read: true }`.
 *
 * Rules (checked before any I/O, failing with EINVAL): at least one of `read`, `write`,
 * `append`; `create`, `createNew` and `truncate` need `write` or `append`; `truncate` cannot be
 * combined with `append`, nor `direct` with `append`. `createNew` wins over `create` and
 * `truncate`.
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
  readonly read: boolean;
  readonly write: boolean;
  readonly append: boolean;
  readonly create: boolean;
  readonly createNew: boolean;
  readonly truncate: boolean;
  /** What the caller asked for; a driver opens with O_DIRECT only when this is `true`. */
  readonly direct: boolean | 'prefer';
}

const FLAG_NAMES = ['read', 'write', 'append', 'create', 'createNew', 'truncate'] as const;

/**
 * Validate open options and fill in the defaults.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE for a non-object or a non-boolean flag; EINVAL for an
 * invalid combination (with `syscall: 'open'` and the path, when given).
 * @example toOpenFlags({ write: true, create: true }) // { read: false, write: true, create: true, ... }
 */
export function toOpenFlags(options: OpenOptions | undefined, path?: string): OpenFlags {
  if (options === undefined) options = { read: true };
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
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
  const context = path === undefined ? { syscall: 'open' } : { syscall: 'open', path };
  const writes = flags.write || flags.append;
  if (!flags.read && !writes) throw systemError('EINVAL', context);
  if (!writes && (flags.create || flags.createNew || flags.truncate)) throw systemError('EINVAL', context);
  if (flags.append && flags.truncate && !flags.createNew) throw systemError('EINVAL', context);
  // O_APPEND writes land wherever the end is, which direct I/O needs block-aligned.
  if (flags.append && flags.direct !== false) {
    throw systemErrorBecause('EINVAL', "direct I/O cannot be combined with 'append' (appends land at unaligned ends)", context);
  }
  return flags;
}
