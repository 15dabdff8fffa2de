import { DriverFs } from '@mfio/rt';
import { resolveOptions, type S3FsOptions } from './options.js';
import { S3Driver } from './s3-driver.js';
import { S3Http } from './s3-http.js';

/**
 * An S3 bucket (AWS S3, Ceph RGW, MinIO, R2 ...) as an `Fs` whose files are `PacketIo`, so
 * `readAt`, `readMany`, `readToEnd`, the streams and the rest of `@mfio/core` work on objects.
 * Reads are ranged GETs, many in flight on a keep-alive pool; a handle pins the object's ETag
 * at open, so a replaced object fails its reads with ESTALE instead of mixing versions.
 * Writes make new objects front to back (multipart beyond `partSize`), stored at close.
 * @example
 * const fs = await S3Fs.connect({ endpoint: 'http://127.0.0.1:7480', bucket: 'data' });
 * const file = await fs.open('tiles/world.pmtiles');
 * const header = await file.readAt(0, 127);
 * await fs.close();
 */
export class S3Fs extends DriverFs {
  readonly #http: S3Http;

  private constructor(http: S3Http) {
    super(new S3Driver(http));
    this.#http = http;
  }

  /**
   * Check the options and the bucket (one HEAD), and return the Fs. Credentials, region and
   * endpoint default to the usual AWS_* environment variables.
   * @throws {MfioError} ERR_INVALID_ARG_* for bad options; ENOENT (NoSuchBucket); EACCES (bad
   * keys or signature: the HEAD's answer has no body, so the message says AccessDenied, HTTP
   * 403, inferred from the status); ECONNREFUSED / ECONNRESET / ETIMEDOUT.
   */
  static async connect(options: S3FsOptions): Promise<S3Fs> {
    const http = new S3Http(resolveOptions(options));
    try {
      await http.call({ method: 'HEAD', key: null, context: { syscall: 'connect', path: `/${options.bucket}` } }, true);
    } catch (error) {
      await http.close();
      throw error;
    }
    return new S3Fs(http);
  }

  /** Close every handle (uploads of files still open are completed, abandoned ones aborted), then the connections. Idempotent. */
  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.#http.close();
    }
  }
}
