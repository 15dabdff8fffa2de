/**
 * Every error code the mfio packages (`@mfio/core`, `@mfio/rt`, `@mfio/netfs`) give an
 * `MfioError`, each defined once, with its meaning: mfio's own ({@link MFIO_CODES}), errno
 * names ({@link SYSTEM_ERROR_CODES}) and what Node says of a failed connection
 * ({@link CONNECT_ERROR_CODES}). The codes are the stable API: test on `code`, never on the
 * message. They are Node's style: an errno name for a system error, an `ERR_*` code or
 * `ABORT_ERR` for everything else (Node's own name where Node has one).
 *
 * `MfioError.code` is typed {@link MfioErrorCode}, so a misspelled code (in a `new MfioError`,
 * a `systemError`, or a comparison with `error.code`) fails to compile.
 *
 * @module
 */

/**
 * The codes that are not system errors, with the package(s) that raise them. Values equal keys:
 * `MFIO_CODES.ABORT_ERR === 'ABORT_ERR'`.
 * @enum
 */
export const MFIO_CODES = Object.freeze({
  /**
   * The caller's `AbortSignal` aborted the operation (`name` is `'AbortError'`, the signal's
   * reason is the `cause`; `released` resolves when a backend lets go of the buffer). All.
   */
  ABORT_ERR: 'ABORT_ERR',
  /** A read of a fixed length reached the end first (`readExactAt`, `readExact`). Core, rt. */
  ERR_UNEXPECTED_EOF: 'ERR_UNEXPECTED_EOF',
  /** A write-all loop got 0 bytes accepted: it would never finish (`writeAllAt`, `write`). Core, rt. */
  ERR_WRITE_ZERO: 'ERR_WRITE_ZERO',
  /**
   * `rm` of a directory without `recursive` (Node's code and wording, from `@mfio/rt/promises`).
   * Rt.
   */
  ERR_FS_EISDIR: 'ERR_FS_EISDIR',
  /** `readToEnd` found more data than its `maxLength`. Core, rt. */
  ERR_FS_FILE_TOO_LARGE: 'ERR_FS_FILE_TOO_LARGE',
  /** An argument has the wrong type (Node's wording: `The "x" argument must be ...`). All. */
  ERR_INVALID_ARG_TYPE: 'ERR_INVALID_ARG_TYPE',
  /**
   * An argument or a setting has a value that is not allowed (an unknown backend name, a path
   * with a null byte, a bad `MFIO_FS_BACKENDS` or thread count, serving a network without a
   * token). Rt, netfs.
   */
  ERR_INVALID_ARG_VALUE: 'ERR_INVALID_ARG_VALUE',
  /** A number is outside its range (a position, a length, a limit, a timeout). Core, netfs. */
  ERR_OUT_OF_RANGE: 'ERR_OUT_OF_RANGE',
  /**
   * A call in the wrong state: a packet's result before it settled, its views twice, a view or
   * a batch request reported twice. A bug in the caller or the backend. Core.
   */
  ERR_INVALID_STATE: 'ERR_INVALID_STATE',
  /** A sync call (`readAtSync`, ...) on a backend that cannot block for a completion. Core. */
  ERR_MFIO_CANNOT_BLOCK: 'ERR_MFIO_CANNOT_BLOCK',
  /**
   * A sync call would wait forever: the packet has fragments that nothing pending will finish
   * (or completions are held for a test). Core, rt.
   */
  ERR_MFIO_DEADLOCK: 'ERR_MFIO_DEADLOCK',
  /** The @mfio/rt native addon could not be loaded; the message lists each path tried, and the fix. Rt. */
  ERR_MFIO_ADDON_LOAD: 'ERR_MFIO_ADDON_LOAD',
  /** A backend cannot run here (not built, not supported by this kernel or host), and why. Rt. */
  ERR_MFIO_BACKEND_UNAVAILABLE: 'ERR_MFIO_BACKEND_UNAVAILABLE',
  /** A backend `MFIO_FS_BACKENDS` leaves out (reported by `NativeRtBuilder.buildEach`). Rt. */
  ERR_MFIO_BACKEND_DISABLED: 'ERR_MFIO_BACKEND_DISABLED',
  /** `NativeRtBuilder.build` could start no backend; the message says why for each. Rt. */
  ERR_MFIO_NO_BACKEND: 'ERR_MFIO_NO_BACKEND',
  /**
   * `configure()` of the default runtime after its first use (or a second time): the runtime
   * already runs with the settings it started with. Rt.
   */
  ERR_MFIO_ALREADY_STARTED: 'ERR_MFIO_ALREADY_STARTED',
} as const);

/**
 * System errors: the errno names of libuv (what Node's `util.getSystemErrorMap()` lists), with
 * its description. Where mfio raises a code by name, the line says when. Any other errno reaches
 * an `MfioError` from the OS through `MfioError.fromErrno` (native backends) or `fromNodeError`
 * (the libuv backend). libuv's `EAI_*` resolver codes are not here: `fromErrno` turns them into
 * `UNKNOWN`. Values equal keys.
 * @enum
 */
export const SYSTEM_ERROR_CODES = Object.freeze({
  /** Argument list too long. Carried by netfs (wire number 32). */
  E2BIG: 'E2BIG',
  /**
   * Permission denied. Netfs: a path that is not canonical or leads outside the served root,
   * a failed authentication (FATAL), a token the server does not know (client).
   */
  EACCES: 'EACCES',
  /** Address already in use. */
  EADDRINUSE: 'EADDRINUSE',
  /** Address not available. */
  EADDRNOTAVAIL: 'EADDRNOTAVAIL',
  /** Address family not supported. */
  EAFNOSUPPORT: 'EAFNOSUPPORT',
  /** Resource temporarily unavailable. Netfs: a path a local process kept changing while the server resolved it. */
  EAGAIN: 'EAGAIN',
  /** Connection already in progress. */
  EALREADY: 'EALREADY',
  /**
   * Bad file descriptor. A handle, stream, listener or runtime used after its close; a read on
   * a handle opened write-only (or the reverse); netfs: an unknown or closed remote handle.
   */
  EBADF: 'EBADF',
  /**
   * Resource busy or locked. Virt: renaming or removing the root; netfs: removing or renaming
   * the served root, or evicted from a full handshake slot (FATAL).
   */
  EBUSY: 'EBUSY',
  /**
   * Operation canceled. A request cancelled by a close: the runtime's, the handle's or the
   * stream's (reset); netfs: a server shutting down (FATAL) or a cancelled READ.
   */
  ECANCELED: 'ECANCELED',
  /** Invalid Unicode character. */
  ECHARSET: 'ECHARSET',
  /** Software caused connection abort. */
  ECONNABORTED: 'ECONNABORTED',
  /** Connection refused. */
  ECONNREFUSED: 'ECONNREFUSED',
  /**
   * Connection reset by peer. Also every request in flight when a stream is reset, an accept
   * queue dropped, or a netfs connection lost (client: the server closed it).
   */
  ECONNRESET: 'ECONNRESET',
  /** Destination address required. */
  EDESTADDRREQ: 'EDESTADDRREQ',
  /**
   * Disk quota exceeded. Not a libuv name (Node reports it as `UNKNOWN`): only netfs carries it
   * (wire number 26), for a server whose Fs reports it.
   */
  EDQUOT: 'EDQUOT',
  /** File already exists (`createNew`, `createDir`, `hardLink` onto an existing name). */
  EEXIST: 'EEXIST',
  /** Bad address in system call argument. */
  EFAULT: 'EFAULT',
  /** File too large. Also a write or a length beyond a `VirtFs` or `MemoryFile` maximum size. */
  EFBIG: 'EFBIG',
  /** Inappropriate file type or format. */
  EFTYPE: 'EFTYPE',
  /** Host is down. */
  EHOSTDOWN: 'EHOSTDOWN',
  /** Host is unreachable. */
  EHOSTUNREACH: 'EHOSTUNREACH',
  /** Illegal byte sequence. */
  EILSEQ: 'EILSEQ',
  /** Interrupted system call. */
  EINTR: 'EINTR',
  /**
   * Invalid argument. Open options that allow no access or contradict each other, a truncate
   * on a handle not opened for writing, renaming a directory into itself, a path with a lone
   * surrogate (netfs).
   */
  EINVAL: 'EINVAL',
  /**
   * I/O error. Also what a backend's non-`MfioError` failure becomes (`MfioError.from`), and
   * how netfs carries a code that has no wire number.
   */
  EIO: 'EIO',
  /** Socket is already connected. */
  EISCONN: 'EISCONN',
  /** Illegal operation on a directory (opening, unlinking or copying onto a directory as a file). */
  EISDIR: 'EISDIR',
  /** Too many symbolic links encountered. Netfs: more links than the server follows while resolving a path. */
  ELOOP: 'ELOOP',
  /** Too many open files. Netfs: over the server's `maxHandles` or `maxConnections` (FATAL). */
  EMFILE: 'EMFILE',
  /** Too many links. */
  EMLINK: 'EMLINK',
  /** Message too long. Netfs: a frame over `maxFrame` (FATAL). */
  EMSGSIZE: 'EMSGSIZE',
  /** Name too long. Netfs: a path that is empty or too long to send. */
  ENAMETOOLONG: 'ENAMETOOLONG',
  /** Network is down. */
  ENETDOWN: 'ENETDOWN',
  /** Network is unreachable. */
  ENETUNREACH: 'ENETUNREACH',
  /** File table overflow. */
  ENFILE: 'ENFILE',
  /** No buffer space available. */
  ENOBUFS: 'ENOBUFS',
  /** No data available. */
  ENODATA: 'ENODATA',
  /** No such device. */
  ENODEV: 'ENODEV',
  /** No such file or directory. */
  ENOENT: 'ENOENT',
  /** Exec format error (a name newer libuv releases than Node 20's added). */
  ENOEXEC: 'ENOEXEC',
  /** Not enough memory. */
  ENOMEM: 'ENOMEM',
  /** Machine is not on the network. */
  ENONET: 'ENONET',
  /** Protocol not available. */
  ENOPROTOOPT: 'ENOPROTOOPT',
  /** No space left on device. */
  ENOSPC: 'ENOSPC',
  /** Function not implemented. Also a backend that cannot open beneath a directory with the kernel's check. */
  ENOSYS: 'ENOSYS',
  /** Socket is not connected. */
  ENOTCONN: 'ENOTCONN',
  /** Not a directory (a path through a file, `f/` for a file, listing a file). */
  ENOTDIR: 'ENOTDIR',
  /** Directory not empty. */
  ENOTEMPTY: 'ENOTEMPTY',
  /** Socket operation on non-socket. */
  ENOTSOCK: 'ENOTSOCK',
  /** Operation not supported. */
  ENOTSUP: 'ENOTSUP',
  /** Inappropriate ioctl for device. */
  ENOTTY: 'ENOTTY',
  /** No such device or address. */
  ENXIO: 'ENXIO',
  /** End of file (libuv's; mfio reports the end of a file or stream as a short read, not an error). */
  EOF: 'EOF',
  /** Value too large for defined data type. */
  EOVERFLOW: 'EOVERFLOW',
  /**
   * Operation not permitted. Virt: a hard link to a directory; netfs: setuid, setgid or sticky
   * bits where the server does not allow them.
   */
  EPERM: 'EPERM',
  /** Broken pipe: a write after the stream's write side was shut or the peer went away. */
  EPIPE: 'EPIPE',
  /** Protocol error. Netfs: a malformed frame, a protocol violation or an unsupported version (FATAL). */
  EPROTO: 'EPROTO',
  /** Protocol not supported. */
  EPROTONOSUPPORT: 'EPROTONOSUPPORT',
  /** Protocol wrong type for socket. */
  EPROTOTYPE: 'EPROTOTYPE',
  /** Result too large. */
  ERANGE: 'ERANGE',
  /** Remote I/O error. */
  EREMOTEIO: 'EREMOTEIO',
  /** Read-only file system. Netfs: a change on a read-only server. */
  EROFS: 'EROFS',
  /** Cannot send after transport endpoint shutdown. */
  ESHUTDOWN: 'ESHUTDOWN',
  /** Socket type not supported. */
  ESOCKTNOSUPPORT: 'ESOCKTNOSUPPORT',
  /** Invalid seek. */
  ESPIPE: 'ESPIPE',
  /** No such process. */
  ESRCH: 'ESRCH',
  /** Timed out. Netfs: a request, a connect, a handshake or an idle connection over its timeout. */
  ETIMEDOUT: 'ETIMEDOUT',
  /** Text file is busy. */
  ETXTBSY: 'ETXTBSY',
  /** Protocol driver not attached. */
  EUNATCH: 'EUNATCH',
  /** Cross-device link not permitted. */
  EXDEV: 'EXDEV',
  /** An errno Node has no name for (libuv's name for it). */
  UNKNOWN: 'UNKNOWN',
} as const);

/**
 * Codes of a failed connection that are neither errno names nor mfio's: Node's resolver and TLS
 * codes, which `NetFs.connect` passes through as Node gives them. Node's `ERR_TLS_*` and
 * OpenSSL's `ERR_SSL_*` codes (`ERR_SSL_WRONG_VERSION_NUMBER`: not a TLS server) are open sets:
 * {@link ConnectErrorCode} takes them by prefix. Values equal keys.
 * @enum
 */
export const CONNECT_ERROR_CODES = Object.freeze({
  /** The host name does not resolve (Node's name for `getaddrinfo`'s EAI_NONAME and EAI_NODATA). */
  ENOTFOUND: 'ENOTFOUND',
  /** Temporary failure of the resolver. */
  EAI_AGAIN: 'EAI_AGAIN',
  /** Permanent failure of the resolver. */
  EAI_FAIL: 'EAI_FAIL',
  /** Resolver: address family not supported. */
  EAI_ADDRFAMILY: 'EAI_ADDRFAMILY',
  /** Resolver: bad flags. */
  EAI_BADFLAGS: 'EAI_BADFLAGS',
  /** Resolver: invalid hints. */
  EAI_BADHINTS: 'EAI_BADHINTS',
  /** Resolver: request canceled. */
  EAI_CANCELED: 'EAI_CANCELED',
  /** Resolver: family not supported. */
  EAI_FAMILY: 'EAI_FAMILY',
  /** Resolver: out of memory. */
  EAI_MEMORY: 'EAI_MEMORY',
  /** Resolver: argument buffer overflow. */
  EAI_OVERFLOW: 'EAI_OVERFLOW',
  /** Resolver: resolved protocol is unknown. */
  EAI_PROTOCOL: 'EAI_PROTOCOL',
  /** Resolver: service not available for socket type. */
  EAI_SERVICE: 'EAI_SERVICE',
  /** Resolver: socket type not supported. */
  EAI_SOCKTYPE: 'EAI_SOCKTYPE',
  /** Every address of the host was tried and the first attempt timed out (Node's `autoSelectFamily`). */
  ERR_SOCKET_CONNECTION_TIMEOUT: 'ERR_SOCKET_CONNECTION_TIMEOUT',
  /** TLS: the certificate is not for the host name connected to. */
  ERR_TLS_CERT_ALTNAME_INVALID: 'ERR_TLS_CERT_ALTNAME_INVALID',
  /** TLS: the handshake did not finish in time. */
  ERR_TLS_HANDSHAKE_TIMEOUT: 'ERR_TLS_HANDSHAKE_TIMEOUT',
  // The X509 certificate codes of Node's tls module (OpenSSL's verification results).
  /** TLS: unable to get the issuer certificate. */
  UNABLE_TO_GET_ISSUER_CERT: 'UNABLE_TO_GET_ISSUER_CERT',
  /** TLS: unable to get the certificate CRL. */
  UNABLE_TO_GET_CRL: 'UNABLE_TO_GET_CRL',
  /** TLS: unable to decrypt the certificate's signature. */
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  /** TLS: unable to decrypt the CRL's signature. */
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: 'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  /** TLS: unable to decode the issuer public key. */
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  /** TLS: certificate signature failure. */
  CERT_SIGNATURE_FAILURE: 'CERT_SIGNATURE_FAILURE',
  /** TLS: CRL signature failure. */
  CRL_SIGNATURE_FAILURE: 'CRL_SIGNATURE_FAILURE',
  /** TLS: the certificate is not yet valid. */
  CERT_NOT_YET_VALID: 'CERT_NOT_YET_VALID',
  /** TLS: the certificate has expired. */
  CERT_HAS_EXPIRED: 'CERT_HAS_EXPIRED',
  /** TLS: the CRL is not yet valid. */
  CRL_NOT_YET_VALID: 'CRL_NOT_YET_VALID',
  /** TLS: the CRL has expired. */
  CRL_HAS_EXPIRED: 'CRL_HAS_EXPIRED',
  /** TLS: format error in the certificate's notBefore field. */
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  /** TLS: format error in the certificate's notAfter field. */
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  /** TLS: format error in the CRL's lastUpdate field. */
  ERROR_IN_CRL_LAST_UPDATE_FIELD: 'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  /** TLS: format error in the CRL's nextUpdate field. */
  ERROR_IN_CRL_NEXT_UPDATE_FIELD: 'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  /** TLS: out of memory. */
  OUT_OF_MEM: 'OUT_OF_MEM',
  /** TLS: a self-signed certificate (the server's own, not in `ca`). */
  DEPTH_ZERO_SELF_SIGNED_CERT: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  /** TLS: a self-signed certificate in the chain. */
  SELF_SIGNED_CERT_IN_CHAIN: 'SELF_SIGNED_CERT_IN_CHAIN',
  /** TLS: unable to get the local issuer certificate. */
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  /** TLS: unable to verify the first certificate. */
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  /** TLS: the certificate chain is too long. */
  CERT_CHAIN_TOO_LONG: 'CERT_CHAIN_TOO_LONG',
  /** TLS: the certificate was revoked. */
  CERT_REVOKED: 'CERT_REVOKED',
  /** TLS: an invalid CA certificate. */
  INVALID_CA: 'INVALID_CA',
  /** TLS: path length constraint exceeded. */
  PATH_LENGTH_EXCEEDED: 'PATH_LENGTH_EXCEEDED',
  /** TLS: unsupported certificate purpose. */
  INVALID_PURPOSE: 'INVALID_PURPOSE',
  /** TLS: the certificate is not trusted. */
  CERT_UNTRUSTED: 'CERT_UNTRUSTED',
  /** TLS: the certificate was rejected. */
  CERT_REJECTED: 'CERT_REJECTED',
  /** TLS: the host name does not match. */
  HOSTNAME_MISMATCH: 'HOSTNAME_MISMATCH',
} as const);

/** A code that is not a system error: `ABORT_ERR` or `ERR_*` (see {@link MFIO_CODES}). */
export type MfioCode = keyof typeof MFIO_CODES;

/**
 * A system error's code: an errno name (see {@link SYSTEM_ERROR_CODES}).
 *
 * The list is libuv's up to `ENOEXEC` (Node 20's names and the ones later libuv releases added).
 * `MfioError.fromErrno` keeps the name Node gives, so on a newer Node whose libuv adds an errno
 * name, an error from the OS can carry a name this type does not list yet; @mfio/core's tests
 * (error-codes.test.ts) fail on such a Node until the name is added here.
 */
export type SystemErrorCode = keyof typeof SYSTEM_ERROR_CODES;

/**
 * A failed connection's code from Node's resolver or TLS (see {@link CONNECT_ERROR_CODES}), or
 * any of Node's `ERR_TLS_*` and OpenSSL's `ERR_SSL_*` codes. A code Node adds later passes
 * through too, though this type does not list it yet.
 */
export type ConnectErrorCode = keyof typeof CONNECT_ERROR_CODES | `ERR_TLS_${string}` | `ERR_SSL_${string}`;

/**
 * Every code an `MfioError` can have: an {@link MfioCode} (mfio's `ERR_*` and
 * `ABORT_ERR`), a {@link SystemErrorCode} (an errno name) or a {@link ConnectErrorCode} (Node's
 * resolver and TLS codes, from a netfs connect).
 * @example
 * // `code` is typed: a misspelled code here ('ENOENTT') fails to compile.
 * const missing = (error: unknown): boolean => error instanceof MfioError && error.code === 'ENOENT';
 */
export type MfioErrorCode = MfioCode | SystemErrorCode | ConnectErrorCode;

/** Whether `value` is a listed {@link SystemErrorCode} (an errno name), not an `ERR_*` code. */
export function isSystemErrorCode(value: unknown): value is SystemErrorCode {
  return typeof value === 'string' && Object.hasOwn(SYSTEM_ERROR_CODES, value);
}
