import type { MfioErrorCode, SystemErrorCode } from '@mfio/core';

/**
 * Error codes on the wire: stable numbers, independent of any platform's errno values, that
 * both ends map to and from Node-style codes (docs/netfs-protocol.md, "Error codes"). Number n
 * is `WIRE_ERROR_CODES[n - 1]`; append only. Frozen: the table is the protocol.
 */
export const WIRE_ERROR_CODES = Object.freeze([
  'EIO',
  'ENOENT',
  'EBADF',
  'EACCES',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'EINVAL',
  'EPERM',
  'EMFILE',
  'ENFILE',
  'EFBIG',
  'ENOSPC',
  'EROFS',
  'EMLINK',
  'ENAMETOOLONG',
  'ENOTEMPTY',
  'ELOOP',
  'EXDEV',
  'ECANCELED',
  'ETIMEDOUT',
  'ENOTSUP',
  'EAGAIN',
  'EBUSY',
  'ETXTBSY',
  'EDQUOT',
  'ESPIPE',
  'ENOSYS',
  'EOVERFLOW',
  'EPROTO',
  'ECONNRESET',
  'E2BIG',
  'EMSGSIZE',
] as const satisfies readonly SystemErrorCode[]);

/**
 * A code with a wire number: the codes a netfs server's errors reach the client with (any other
 * code arrives as `EIO`), and the codes of ERROR and FATAL frames.
 */
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

const byCode = new Map<MfioErrorCode, number>(WIRE_ERROR_CODES.map((code, i) => [code, i + 1]));

/** The wire number of `code`; codes without one travel as EIO (1). */
export function wireErrorOf(code: MfioErrorCode): number {
  return byCode.get(code) ?? 1;
}

/** The code the peer decodes for `code`: `code` if it has a wire number, else EIO. */
export function wireCodeOf(code: MfioErrorCode): WireErrorCode {
  return WIRE_ERROR_CODES[wireErrorOf(code) - 1]!;
}

/** The code of wire number `wire`, or undefined for a number outside the table. */
export function codeOfWireError(wire: number): WireErrorCode | undefined {
  return WIRE_ERROR_CODES[wire - 1];
}

/** How many wire codes exist (1..count). */
export const WIRE_ERROR_COUNT = WIRE_ERROR_CODES.length;
