import { MfioError, type ErrorContext, type SystemErrorCode } from '@mfio/core';

/** Where an S3 error applies: the operation (as a syscall name) and the path. */
export type S3ErrorContext = Omit<ErrorContext, 'errno'>;

/**
 * A system error by code, with Node's message shape (`ENOENT: no such file or directory, open
 * '/a'`) and an extra detail (the S3 code and status) after it.
 */
export function s3Error(code: SystemErrorCode, context: S3ErrorContext, detail?: string): MfioError {
  const base = MfioError.fromCode(code, context);
  if (detail === undefined) return base;
  return new MfioError(code, `${base.message} (${detail})`, { ...context, ...(base.errno === undefined ? {} : { errno: base.errno }) });
}

/**
 * The object behind an open handle was replaced (its ETag changed): what NFS clients call a
 * stale handle. ESTALE is POSIX's name for it but not one of libuv's (so not in @mfio/core's
 * list, nor known to `MfioError.fromCode`): made here, with Linux's errno 116.
 */
export function staleError(context: S3ErrorContext, detail: string): MfioError {
  const where = context.path === undefined ? '' : ` '${context.path}'`;
  return new MfioError('ESTALE' as SystemErrorCode, `ESTALE: stale file handle, ${context.syscall ?? 'read'}${where} (${detail})`, { ...context, errno: -116 });
}

/**
 * The Node-style code for an S3 error response: its `Code` from the XML body where there is
 * one (HEAD has no body: then the status alone).
 */
export function codeForResponse(status: number, s3Code: string | undefined): SystemErrorCode {
  switch (s3Code) {
    case 'NoSuchKey':
    case 'NoSuchBucket':
    case 'NoSuchUpload':
      return 'ENOENT';
    case 'AccessDenied':
    case 'SignatureDoesNotMatch':
    case 'InvalidAccessKeyId':
    case 'RequestTimeTooSkewed':
    case 'AllAccessDisabled':
      return 'EACCES';
    case 'PreconditionFailed':
      return 'ESTALE' as SystemErrorCode;
    case 'EntityTooLarge':
      return 'EFBIG';
    case 'NotImplemented':
      return 'ENOSYS';
    case 'SlowDown':
      return 'EAGAIN';
    default:
      break;
  }
  if (status === 404) return 'ENOENT';
  if (status === 401 || status === 403) return 'EACCES';
  if (status === 412) return 'ESTALE' as SystemErrorCode;
  if (status === 400 || status === 411 || status === 416) return 'EINVAL';
  if (status === 409) return 'EEXIST';
  if (status === 501) return 'ENOSYS';
  if (status === 503) return 'EAGAIN';
  return 'EIO';
}

/**
 * What the answer to a HEAD says, in the words of the S3 code a GET would have had in its body:
 * a HEAD response has no body, so the status is all there is (`S3 AccessDenied, HTTP 403: HEAD
 * has no body, ...`). `of` is what the HEAD asked about: a 404 of the bucket is NoSuchBucket.
 */
export function headDetail(status: number, of: 'bucket' | 'object'): string {
  const inferred = 'HEAD has no body, so the S3 code is inferred from the status';
  switch (status) {
    case 403:
      return `S3 AccessDenied, HTTP 403: ${inferred}; a bad key or signature answers the same`;
    case 404:
      return `S3 ${of === 'bucket' ? 'NoSuchBucket' : 'NoSuchKey'}, HTTP 404: ${inferred}`;
    case 412:
      return `S3 PreconditionFailed, HTTP 412: ${inferred}`;
    default:
      return `S3 error, HTTP ${status}: HEAD has no body to name the S3 code`;
  }
}

/**
 * An S3 error response as an MfioError: the Node-style code, the S3 code and status in the
 * message. `head`: the answer to a HEAD of the bucket or of an object, which has no body (see
 * {@link headDetail}).
 */
export function responseError(status: number, body: string, context: S3ErrorContext, head?: 'bucket' | 'object'): MfioError {
  const s3Code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const code = codeForResponse(status, s3Code);
  const detail = s3Code === undefined && head !== undefined ? headDetail(status, head) : `S3 ${s3Code ?? 'error'}, HTTP ${status}`;
  if (code === ('ESTALE' as SystemErrorCode)) return staleError(context, `${detail}: the object changed since it was opened`);
  return s3Error(code, context, detail);
}

/**
 * A transport failure (undici's or the socket's) as an MfioError. The server going away is
 * ECONNRESET whatever undici calls it (UND_ERR_SOCKET, UND_ERR_CLOSED, EPIPE ...), so callers
 * can tell it apart from a refused connection and a timeout.
 */
export function transportError(error: unknown, context: S3ErrorContext): MfioError {
  if (error instanceof MfioError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  let mapped: SystemErrorCode;
  switch (code) {
    case 'ECONNREFUSED':
      mapped = 'ECONNREFUSED';
      break;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      mapped = 'ETIMEDOUT';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      mapped = 'EHOSTUNREACH';
      break;
    default:
      mapped = 'ECONNRESET';
  }
  return s3Error(mapped, { ...context, cause: error }, message);
}

/** Whether a transport failure may be tried again (on an idempotent request): the connection's trouble. */
export function isRetriable(error: MfioError): boolean {
  return error.code === 'ECONNRESET' || error.code === 'ECONNREFUSED' || error.code === 'ETIMEDOUT';
}

/** Whether an HTTP status is worth another try: the server's trouble or throttling. */
export function isRetriableStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
}
