import { errnoOf, isSystemErrorCode, MfioError } from '@mfio/core';

/** Where a system error applies, as Node reports it for one call of `fs/promises`. */
export interface NodeErrorPlace {
  /** Node's name for the system call (`'open'`, `'scandir'`, `'lstat'`, ...). */
  readonly syscall: string;
  /** The path as the caller gave it; absent for calls on a file handle (Node names no path there). */
  readonly path?: string;
  /** The second path of `rename`. */
  readonly dest?: string;
}

/**
 * A backend's error reshaped as `node:fs/promises` reports the same failure: same `code` and
 * `errno`, Node's `syscall`, and the `path` (and `dest`) the caller passed rather than the resolved
 * one; the backend's error is the `cause`. Errors that are not system errors (`ERR_*`, ABORT_ERR)
 * pass through unchanged.
 */
export function asNodeError(error: unknown, place: NodeErrorPlace): unknown {
  if (!(error instanceof MfioError) || !isSystemErrorCode(error.code)) return error;
  const reshaped = MfioError.fromCode(error.code, { syscall: place.syscall, path: place.path, dest: place.dest, cause: error });
  if (error.bytesTransferred !== undefined) reshaped.bytesTransferred = error.bytesTransferred;
  return reshaped;
}

/** Run `operation`, reshaping what it rejects with as {@link asNodeError}. */
export async function inNodeTerms<T>(place: NodeErrorPlace, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw asNodeError(error, place);
  }
}

/**
 * `rm` on a directory without `recursive`: Node's ERR_FS_EISDIR (a SystemError whose errno is
 * the positive EISDIR, with syscall `rm`).
 */
export function rmIsDirectory(path: string): MfioError {
  return new MfioError('ERR_FS_EISDIR', `Path is a directory: rm returned EISDIR (is a directory) ${path}`, {
    syscall: 'rm',
    path,
    errno: Math.abs(errnoOf('EISDIR') ?? 21),
  });
}
