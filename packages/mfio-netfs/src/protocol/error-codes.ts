/**
 * Error codes on the wire: stable numbers, independent of any platform's errno values, that
 * both ends map to and from Node-style codes (docs/netfs-protocol.md, "Error codes").
 */
const CODES = [
  'EIO', 'ENOENT', 'EBADF', 'EACCES', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EINVAL', 'EPERM', 'EMFILE', 'ENFILE',
  'EFBIG', 'ENOSPC', 'EROFS', 'EMLINK', 'ENAMETOOLONG', 'ENOTEMPTY', 'ELOOP', 'EXDEV', 'ECANCELED', 'ETIMEDOUT',
  'ENOTSUP', 'EAGAIN', 'EBUSY', 'ETXTBSY', 'EDQUOT', 'ESPIPE', 'ENOSYS', 'EOVERFLOW', 'EPROTO', 'ECONNRESET',
  'E2BIG', 'EMSGSIZE',
] as const;

const byCode = new Map<string, number>(CODES.map((code, i) => [code, i + 1]));

/** The wire number of `code`; codes without one travel as EIO (1). */
export function wireErrorOf(code: string): number {
  return byCode.get(code) ?? 1;
}

/** The code of wire number `wire`, or undefined for a number outside the table. */
export function codeOfWireError(wire: number): string | undefined {
  return CODES[wire - 1];
}

/** How many wire codes exist (1..count). */
export const WIRE_ERROR_COUNT = CODES.length;
