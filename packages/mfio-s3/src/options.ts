import { MfioError } from '@mfio/core';

/** Keys to sign requests with (from the options, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN). */
export interface S3Credentials {
  /** The access key id. */
  readonly accessKeyId: string;
  /** The secret access key. */
  readonly secretAccessKey: string;
  /** The session token of temporary credentials (sent as `x-amz-security-token`). */
  readonly sessionToken?: string;
}

/** How readMany batches are joined into fewer GETs (see the package README for the measurements). */
export interface CoalesceOptions {
  /**
   * The largest run of unrequested bytes a GET may carry to join two requests (fetched and
   * dropped as they arrive, never copied).
   * @defaultValue 262144 (256 KiB)
   */
  readonly maxGap?: number;
  /** A joined GET covers at most this many bytes. @defaultValue 8388608 (8 MiB) */
  readonly maxMergedSize?: number;
  /**
   * A joined GET carries at most this many times the bytes its requests want (gaps count, a
   * byte two requests want counts once). `Infinity`: only `maxGap` limits. Measured on Ceph
   * RGW (README): 4 left 256 reads of 4 KiB in 16 MiB as 162 GETs, 16 made them 16 GETs and
   * the batch 1.7-3 times as fast; with no limit, sparse batches fetched 8-70 times the bytes.
   * @defaultValue 16
   */
  readonly maxAmplification?: number;
}

/** How idempotent requests are retried on 5xx, 503 SlowDown, resets, refusals and timeouts. */
export interface RetryOptions {
  /** Tries in all (1: no retry). @defaultValue 4 */
  readonly attempts?: number;
  /** The first back-off; each next one doubles, with full jitter (a random 0..delay). @defaultValue 50 */
  readonly baseDelayMs?: number;
  /** The longest back-off. @defaultValue 2000 */
  readonly maxDelayMs?: number;
}

/** Options of `S3Fs.connect`. */
export interface S3FsOptions {
  /** `http://host:port` or `https://host`: path-style requests go to `<endpoint>/<bucket>/<key>`. Default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
  /** The bucket whose objects are the Fs's files. */
  readonly bucket: string;
  /** Signing region. @defaultValue AWS_REGION, AWS_DEFAULT_REGION, else 'us-east-1' */
  readonly region?: string;
  /** Keys to sign with. Default: from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. */
  readonly credentials?: S3Credentials;
  /** Keys under this prefix are the Fs's root (`'data/'`: `/a.bin` is the key `data/a.bin`). @defaultValue '' */
  readonly prefix?: string;
  /** Keep-alive connections to the endpoint (requests beyond wait for one). @defaultValue 64 */
  readonly connections?: number;
  /** Longest wait for a response's headers, and between two chunks of its body. @defaultValue 30000 */
  readonly timeoutMs?: number;
  /** How idempotent requests are retried. */
  readonly retry?: RetryOptions;
  /** A read longer than this goes out as several ranged GETs in flight at once. @defaultValue 8388608 (8 MiB) */
  readonly maxRangeSize?: number;
  /**
   * A large read's first bytes complete as a fragment of its packet once this many have
   * arrived (and so on), before the rest of the response. @defaultValue 262144 (256 KiB)
   */
  readonly fragmentSize?: number;
  /** How readMany batches are joined into fewer GETs. */
  readonly coalesce?: CoalesceOptions;
  /** Bytes per part of a multipart upload (S3's minimum is 5 MiB); a smaller object is one PUT. @defaultValue 8388608 */
  readonly partSize?: number;
  /** Parts uploading at once per file; writes wait beyond it. @defaultValue 4 */
  readonly partsInFlight?: number;
  /** Keys per ListObjectsV2 page (S3 answers at most 1,000). @defaultValue 1000 */
  readonly listPageSize?: number;
}

/** {@link S3FsOptions} with every default filled in and checked. */
export interface ResolvedOptions {
  readonly endpoint: URL;
  /** The bucket whose objects are the Fs's files. */
  readonly bucket: string;
  readonly region: string;
  readonly credentials: S3Credentials;
  readonly prefix: string;
  readonly connections: number;
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions>;
  readonly maxRangeSize: number;
  readonly fragmentSize: number;
  readonly coalesce: Required<CoalesceOptions>;
  readonly partSize: number;
  readonly partsInFlight: number;
  readonly listPageSize: number;
}

const MIB = 1 << 20;

function invalid(name: string, reason: string, value: unknown): MfioError {
  return new MfioError('ERR_INVALID_ARG_VALUE', `The option '${name}' ${reason}. Received ${typeof value === 'string' ? `'${value}'` : String(value)}`);
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(name, `must be an integer from ${min} to ${max}`, value);
  return value;
}

/**
 * Fill in the defaults and check every option (before any request).
 * @throws {MfioError} ERR_INVALID_ARG_VALUE naming the option; ERR_INVALID_ARG_TYPE without a bucket.
 */
export function resolveOptions(options: S3FsOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (typeof options !== 'object' || options === null || typeof options.bucket !== 'string' || options.bucket === '') {
    throw new MfioError('ERR_INVALID_ARG_TYPE', "The option 'bucket' must be a non-empty string");
  }
  const endpointText = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpointText === undefined) throw invalid('endpoint', 'must be given (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL set)', endpointText);
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText);
  } catch {
    throw invalid('endpoint', 'must be an http:// or https:// URL', endpointText);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw invalid('endpoint', 'must be an http:// or https:// URL', endpointText);
  const accessKeyId = options.credentials?.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = options.credentials?.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw invalid('credentials', 'must be given (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set)', options.credentials);
  }
  const sessionToken = options.credentials === undefined ? env.AWS_SESSION_TOKEN : options.credentials.sessionToken;
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || prefix.startsWith('/') || (prefix !== '' && !prefix.endsWith('/'))) {
    throw invalid('prefix', "must be '' or end with '/' (and not start with it)", prefix);
  }
  const coalesce = options.coalesce ?? {};
  const maxAmplification = coalesce.maxAmplification ?? 16;
  if (typeof maxAmplification !== 'number' || !(maxAmplification >= 1)) throw invalid('coalesce.maxAmplification', 'must be a number >= 1', maxAmplification);
  const retry = options.retry ?? {};
  return {
    endpoint,
    bucket: options.bucket,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    credentials: sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey },
    prefix,
    connections: integer('connections', options.connections, 64, 1, 4096),
    timeoutMs: integer('timeoutMs', options.timeoutMs, 30_000, 1),
    retry: {
      attempts: integer('retry.attempts', retry.attempts, 4, 1, 100),
      baseDelayMs: integer('retry.baseDelayMs', retry.baseDelayMs, 50, 0),
      maxDelayMs: integer('retry.maxDelayMs', retry.maxDelayMs, 2000, 0),
    },
    maxRangeSize: integer('maxRangeSize', options.maxRangeSize, 8 * MIB, 4096),
    fragmentSize: integer('fragmentSize', options.fragmentSize, 256 * 1024, 1024),
    coalesce: {
      maxGap: integer('coalesce.maxGap', coalesce.maxGap, 256 * 1024, 0),
      maxMergedSize: integer('coalesce.maxMergedSize', coalesce.maxMergedSize, 8 * MIB, 1),
      maxAmplification,
    },
    partSize: integer('partSize', options.partSize, 8 * MIB, 5 * MIB, 5 * 1024 * MIB),
    partsInFlight: integer('partsInFlight', options.partsInFlight, 4, 1, 64),
    listPageSize: integer('listPageSize', options.listPageSize, 1000, 1, 1000),
  };
}
