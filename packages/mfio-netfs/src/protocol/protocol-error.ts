import { MfioError } from '@mfio/core';

/**
 * A malformed frame or a protocol violation: the connection that produced it is closed with a
 * FATAL frame carrying `code` (EPROTO, or EMSGSIZE for a frame over the maximum).
 */
export function protocolError(message: string, code: 'EPROTO' | 'EMSGSIZE' = 'EPROTO'): MfioError {
  return new MfioError(code, `netfs protocol error: ${message}`, { syscall: 'netfs' });
}
