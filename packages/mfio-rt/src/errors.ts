import { errnoOf, MfioError, type ErrorContext, type SystemErrorCode } from '@mfio/core';

/** Context for a system error, without the errno (it comes from the code or the cause). */
export type SystemErrorContext = Omit<ErrorContext, 'errno'>;

/** A Node system error's shape (`fs`, `net`): all fields optional because not every error has them. */
interface NodeSystemError {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
  dest?: unknown;
}

/**
 * Turn an error thrown or passed by `node:fs` / `node:net` into an {@link MfioError} that keeps
 * its `code`, `errno`, `syscall`, `path` and `dest`. Errors that already are MfioErrors pass
 * through; anything without a system code becomes EIO with the original as `cause`.
 */
export function fromNodeError(error: unknown, context: SystemErrorContext = {}): MfioError {
  if (error instanceof MfioError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodeSystemError;
  const ctx: SystemErrorContext = { cause: error };
  const syscall = typeof e.syscall === 'string' ? e.syscall : context.syscall;
  const path = typeof e.path === 'string' ? e.path : context.path;
  const dest = typeof e.dest === 'string' ? e.dest : context.dest;
  if (syscall !== undefined) ctx.syscall = syscall;
  if (path !== undefined) ctx.path = path;
  if (dest !== undefined) ctx.dest = dest;
  if (context.position !== undefined) ctx.position = context.position;
  // Node's errno is libuv's, negative, and the right one on every platform (Windows included).
  if (typeof e.errno === 'number' && e.errno < 0) return MfioError.fromErrno(e.errno, ctx);
  // An errno name without a number: Node's own, so libuv's (a name newer than our list is kept).
  if (typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) return MfioError.fromCode(e.code as SystemErrorCode, ctx);
  return MfioError.fromCode('EIO', ctx);
}

/** A system error by code name, e.g. `systemError('EBADF', { syscall: 'read' })`. */
export function systemError(code: SystemErrorCode, context: SystemErrorContext = {}): MfioError {
  return MfioError.fromCode(code, context);
}

/**
 * A system error whose message says why, in Node's shape with the reason after the code:
 * `EINVAL: the filesystem refuses direct I/O ..., open '/proc/self/status'`.
 */
export function systemErrorBecause(code: SystemErrorCode, reason: string, context: SystemErrorContext = {}): MfioError {
  const errno = errnoOf(code);
  const where = context.syscall === undefined ? '' : `, ${context.syscall}${context.path === undefined ? '' : ` '${context.path}'`}`;
  return new MfioError(code, `${code}: ${reason}${where}`, { ...context, ...(errno === undefined ? {} : { errno }) });
}

/** `ERR_INVALID_ARG_VALUE` with Node's wording. */
export function invalidArgValue(name: string, reason: string, value: unknown): MfioError {
  const shown = typeof value === 'string' ? `'${value.length > 28 ? value.slice(0, 25) + '...' : value}'` : String(value);
  return new MfioError('ERR_INVALID_ARG_VALUE', `The argument '${name}' ${reason}. Received ${shown}`);
}
