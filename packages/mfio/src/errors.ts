import { constants as osConstants } from 'node:os';
import { getSystemErrorMap, getSystemErrorName } from 'node:util';
import type { MfioErrorCode, SystemErrorCode } from './error-codes.js';

/** Brand shared by every copy of this package, so `instanceof` works across duplicates. */
const kMfioError = Symbol.for('@mfio/core.MfioError');

/** Context attached to an error: where and in which call it happened. */
export interface ErrorContext {
  /** Negative errno, as in Node's own errors (`-2` for ENOENT). */
  errno?: number;
  /** The system call or operation that failed (`'read'`, `'open'`, ...). */
  syscall?: string;
  /** The path the operation applied to. */
  path?: string;
  /** A second path, for rename/link/copy. */
  dest?: string;
  /** The file position the operation applied to. */
  position?: number;
  /** The underlying cause. */
  cause?: unknown;
}

/**
 * The one error class of mfio. `code` is stable and Node-style: an errno name
 * (`'ENOENT'`, `'EBADF'`, `'ECONNRESET'` ...) for system errors, or an `ERR_*` /
 * `ABORT_ERR` code for everything else; every code and its meaning is in error-codes.ts
 * ({@link MfioErrorCode}). Test on `code`, not on the message.
 *
 * `instanceof MfioError` is true for errors created by any copy of this package.
 * @example
 * try {
 *   await file.readExactAt(0, 4096);
 * } catch (error) {
 *   if (error instanceof MfioError && error.code === 'ERR_UNEXPECTED_EOF') console.log(`only ${error.bytesTransferred} bytes`);
 *   else throw error;
 * }
 */
export class MfioError extends Error {
  /** The stable code: an errno name or an `ERR_*`/`ABORT_ERR` code (see {@link MfioErrorCode}). */
  readonly code: MfioErrorCode;
  /** Negative errno of a system error, as in Node's own errors (`-2` for ENOENT on Linux). */
  readonly errno?: number;
  /** The system call or operation that failed (`'read'`, `'open'`, ...). */
  readonly syscall?: string;
  /** The path the operation applied to. */
  readonly path?: string;
  /** A second path, for rename/link/copy. */
  readonly dest?: string;
  /** The file position the operation applied to. */
  readonly position?: number;
  /**
   * For I/O that partly succeeded before failing: how many bytes were transferred
   * contiguously from the start of the request. Nothing is lost silently.
   */
  bytesTransferred?: number;
  /**
   * On an `ABORT_ERR` for a request whose buffer a backend still held: resolves when the
   * backend has let go of it (its completion or cancellation arrived). Reuse the buffer after.
   */
  released?: Promise<void>;

  /**
   * `name` is `'AbortError'` for `ABORT_ERR` (as Node's), else `'MfioError'`; `context.cause` becomes
   * `cause`.
   */
  constructor(code: MfioErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = code === 'ABORT_ERR' ? 'AbortError' : 'MfioError';
    this.code = code;
    if (context.errno !== undefined) this.errno = context.errno;
    if (context.syscall !== undefined) this.syscall = context.syscall;
    if (context.path !== undefined) this.path = context.path;
    if (context.dest !== undefined) this.dest = context.dest;
    if (context.position !== undefined) this.position = context.position;
  }

  /** The brand `instanceof` checks (a `Symbol.for` key, the same in every copy of this package). @hidden */
  get [kMfioError](): true {
    return true;
  }

  /**
   * True for an MfioError made by any copy of this package (checked by its brand); subclasses keep ordinary
   * `instanceof`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep ordinary instanceof; only MfioError itself matches across copies.
    if (this !== MfioError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kMfioError] === true;
  }

  /**
   * A copy of this error saying how many bytes got through. Backends may hand one error object
   * to many requests (one ECONNRESET for everything in flight), so it is never mutated.
   */
  withBytesTransferred(bytes: number): MfioError {
    const copy = new MfioError(this.code, this.message, {
      ...(this.errno === undefined ? {} : { errno: this.errno }),
      ...(this.syscall === undefined ? {} : { syscall: this.syscall }),
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.dest === undefined ? {} : { dest: this.dest }),
      ...(this.position === undefined ? {} : { position: this.position }),
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    });
    copy.name = this.name;
    if (this.stack !== undefined) copy.stack = this.stack;
    copy.bytesTransferred = bytes;
    return copy;
  }

  /** `error` if it is an MfioError, else EIO with it as the cause (a backend broke its contract). */
  static from(error: unknown, context: Omit<ErrorContext, 'errno' | 'cause'> = {}): MfioError {
    if (error instanceof MfioError) return error;
    const wrapped = MfioError.fromCode('EIO', { ...context, cause: error });
    return wrapped;
  }

  /**
   * A system error from an errno number (either sign: native code returns `-errno`).
   * The message has Node's shape: `ENOENT: no such file or directory, open 'a.txt'`.
   * The code is Node's name for the number, `UNKNOWN` if it has none (or only an `EAI_*` one);
   * a name newer than {@link SystemErrorCode}'s list is kept as it is.
   */
  static fromErrno(errno: number, context: Omit<ErrorContext, 'errno'> = {}): MfioError {
    const negative = -Math.abs(errno);
    // Node names unknown numbers "Unknown system error -N" (and throws for 0); libuv calls
    // them UNKNOWN.
    let name = '';
    try {
      name = getSystemErrorName(negative);
    } catch {
      // errno 0 is not an error number
    }
    const code: SystemErrorCode = /^E[A-Z0-9]+$/.test(name) ? (name as SystemErrorCode) : 'UNKNOWN';
    return new MfioError(code, systemMessage(code, negative, context), { ...context, errno: negative });
  }

  /** A system error from its code name (`'EBADF'`), with this platform's errno. */
  static fromCode(code: SystemErrorCode, context: Omit<ErrorContext, 'errno'> = {}): MfioError {
    const errno = errnoOf(code);
    return new MfioError(code, systemMessage(code, errno, context), {
      ...context,
      ...(errno === undefined ? {} : { errno }),
    });
  }
}

/** This platform's negative errno for a code name, or undefined if it has none. */
export function errnoOf(code: SystemErrorCode): number | undefined {
  const value = (osConstants.errno as Record<string, number | undefined>)[code];
  return value === undefined ? undefined : -value;
}

function systemMessage(code: SystemErrorCode, errno: number | undefined, context: ErrorContext): string {
  const description = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
  let message = description ? `${code}: ${description}` : `${code}: unknown system error ${errno ?? ''}`.trimEnd();
  if (context.syscall) message += `, ${context.syscall}`;
  if (context.path !== undefined) message += ` '${context.path}'`;
  if (context.dest !== undefined) message += ` -> '${context.dest}'`;
  if (context.position !== undefined && context.path === undefined) message += ` at position ${context.position}`;
  return message;
}

/** `ABORT_ERR`, named `AbortError` like Node's own; the signal's reason is the cause. */
export function abortError(signal?: AbortSignal): MfioError {
  return new MfioError('ABORT_ERR', 'The operation was aborted', { cause: signal?.reason });
}

/**
 * `ERR_INVALID_ARG_TYPE`, with Node's wording.
 * @example invalidArgType('fd', 'of type number', '3') // The "fd" argument must be of type number. Received '3'
 */
export function invalidArgType(name: string, expected: string, actual: unknown): MfioError {
  return new MfioError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}. Received ${describe(actual)}`);
}

/**
 * `ERR_OUT_OF_RANGE`, with Node's wording.
 * @example outOfRange('length', '>= 0', -1) // The value of "length" is out of range. It must be >= 0. Received -1
 */
export function outOfRange(name: string, range: string, actual: unknown): MfioError {
  return new MfioError('ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${describe(actual)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${value.length > 28 ? value.slice(0, 25) + '...' : value}'`;
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  return `an instance of ${value.constructor?.name ?? 'Object'}`;
}
