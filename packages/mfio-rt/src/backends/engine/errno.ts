import { getSystemErrorMap } from 'node:util';
import type { SystemErrorCode } from '@mfio/core';

/**
 * The error numbers the native executors return negated, as Node's libuv numbers them on this
 * platform, so `util.getSystemErrorName(-n)` names them. On Linux and the other Unixes these are
 * the C library's errno values (the thread pool also runs on macOS and the BSDs, where EAGAIN is
 * 35, not Linux's 11); on Windows libuv has its own numbers (ECANCELED is 4081), which the IOCP
 * executor returns, and which differ from the C runtime's `os.constants.errno`.
 */
function errnoNamed(name: SystemErrorCode): number {
  for (const [negative, [known]] of getSystemErrorMap()) {
    if (known === name) return -negative;
  }
  throw new Error(`libuv has no error named ${name}`);
}

export const EAGAIN = errnoNamed('EAGAIN');
export const EBADF = errnoNamed('EBADF');
export const ECANCELED = errnoNamed('ECANCELED');
export const ECONNABORTED = errnoNamed('ECONNABORTED');
export const ECONNRESET = errnoNamed('ECONNRESET');
export const EINTR = errnoNamed('EINTR');
