import { MfioError, type PacketView } from '@mfio/core';
import type { Metadata, RawFile } from '@mfio/rt';
import { responseError, s3Error, type S3ErrorContext } from './errors.js';
import type { S3Http } from './s3-http.js';
import { objectMetadata } from './s3-read-file.js';
import { escapeXml, parseXml } from './xml.js';

/** A part on its way: its number and the ETag the server gives it. */
interface Part {
  readonly number: number;
  readonly etag: Promise<string>;
}

/**
 * A new object written front to back. Writes are copied into a part buffer and complete at
 * once while fewer than `partsInFlight` parts are uploading (later ones wait for room: the
 * writer's back-pressure). Up to `partSize` bytes in all, the object is one PUT at close;
 * beyond, a multipart upload starts with the first full part and is completed at close.
 * Nothing is visible in the bucket before close resolves.
 *
 * A failed write leaves the handle in error, and the object is abandoned: a part the server
 * rejects, a write at any position but the end (EINVAL: the caller meant those bytes to be in
 * the object, so storing the rest would store something else), or a write given up while it
 * waited (ECANCELED). Every later write and `sync` fails with that first error, and close aborts
 * the multipart upload (no parts stay stored), stores nothing and rejects with the first error's
 * code, its message saying nothing was stored (or that the abort failed too). Opened on an
 * existing object without truncate, the handle leaves the object as it is: each write fails
 * with EINVAL and close resolves.
 */
export class S3WriteFile implements RawFile {
  readonly #http: S3Http;
  readonly #key: string;
  readonly #path: string;
  readonly #ifNoneMatch: boolean;
  /** Opened on an existing object without truncate: it stays as it is, and every write fails. */
  readonly #inPlace: boolean;
  #length = 0;
  #part: Buffer | null = null;
  #fill = 0;
  #uploadId: Promise<string> | null = null;
  readonly #parts: Part[] = [];
  #uploading = 0;
  /** Writes waiting for a part upload to finish before they complete. */
  #waiting: PacketView[] = [];
  #error: MfioError | null = null;
  #closing: Promise<void> | null = null;

  /**
   * `ifNoneMatch`: the object must not exist when it is stored (createNew). `existingSize`: the
   * handle is on an existing object opened without truncate, which it leaves as it is (POSIX
   * allows that open; S3 cannot write into an object, so each write fails with EINVAL).
   */
  constructor(http: S3Http, key: string, path: string, ifNoneMatch: boolean, existingSize: number | null = null) {
    this.#http = http;
    this.#key = key;
    this.#path = path;
    this.#ifNoneMatch = ifNoneMatch;
    this.#inPlace = existingSize !== null;
    this.#length = existingSize ?? 0;
  }

  #context(syscall = 'write'): S3ErrorContext {
    return { syscall, path: this.#path };
  }

  sendIo(position: number, view: PacketView): void {
    if (this.#error !== null) return view.fail(this.#error);
    if (this.#inPlace) {
      return view.fail(
        s3Error('EINVAL', { ...this.#context(), position }, 'an existing S3 object cannot be written in place: open it with truncate to replace it'),
      );
    }
    if (position !== this.#length) {
      // The object can no longer be what the caller is writing: it is abandoned (see the class).
      this.#error = s3Error(
        'EINVAL',
        { ...this.#context(), position },
        `S3 objects are written front to back: this write is at ${position}, the object has ${this.#length} bytes so far; the upload is abandoned`,
      );
      return view.fail(this.#error);
    }
    const bytes = view.bytes();
    const partSize = this.#http.options.partSize;
    let from = 0;
    while (from < bytes.length) {
      this.#part ??= Buffer.allocUnsafe(partSize);
      const n = Math.min(bytes.length - from, partSize - this.#fill);
      this.#part.set(bytes.subarray(from, from + n), this.#fill);
      this.#fill += n;
      from += n;
      if (this.#fill === partSize) this.#sendPart();
    }
    this.#length += bytes.length;
    if (this.#uploading >= this.#http.options.partsInFlight) {
      this.#waiting.push(view);
      view.packet.onCancel(() => this.#abortWrite(view));
    } else {
      queueMicrotask(() => view.complete());
    }
  }

  /** A waiting write was given up: its bytes are in a part already, so the object is abandoned. */
  #abortWrite(view: PacketView): void {
    const at = this.#waiting.indexOf(view);
    if (at < 0) return;
    this.#waiting.splice(at, 1);
    const error = new MfioError('ECANCELED', `ECANCELED: write cancelled, write '${this.#path}' (the upload is abandoned)`, this.#context());
    this.#error ??= error;
    view.fail(error);
  }

  /** Upload the full part buffer (starting the multipart upload with the first one). */
  #sendPart(): void {
    const body = this.#part!.subarray(0, this.#fill);
    this.#part = null;
    this.#fill = 0;
    this.#uploadId ??= this.#createUpload();
    const number = this.#parts.length + 1;
    this.#uploading++;
    const etag = this.#uploadId.then(async (uploadId) => {
      const response = await this.#http.call(
        { method: 'PUT', key: this.#key, query: { partNumber: String(number), uploadId }, body, context: this.#context() },
        true, // the same bytes under the same number: safe to send again
      );
      return String(response.headers.etag ?? '');
    });
    etag.then(
      () => this.#partDone(null),
      (error: unknown) => this.#partDone(MfioError.from(error, this.#context())),
    );
    this.#parts.push({ number, etag });
  }

  #partDone(error: MfioError | null): void {
    this.#uploading--;
    if (error !== null) this.#error ??= error;
    // Room for one more part: the writes that waited for it complete (or fail with the error).
    while (this.#waiting.length > 0 && (this.#error !== null || this.#uploading < this.#http.options.partsInFlight)) {
      const view = this.#waiting.shift()!;
      if (this.#error !== null) view.fail(this.#error);
      else view.complete();
    }
  }

  async #createUpload(): Promise<string> {
    const response = await this.#http.call({ method: 'POST', key: this.#key, query: { uploads: '' }, context: this.#context() }, true);
    const uploadId = (parseXml(response.body).InitiateMultipartUploadResult as Record<string, unknown> | undefined)?.UploadId;
    if (typeof uploadId !== 'string') throw s3Error('EPROTO', this.#context(), 'no UploadId in the answer to CreateMultipartUpload');
    return uploadId;
  }

  async metadata(): Promise<Metadata> {
    return objectMetadata({ size: this.#length, modified: null });
  }

  async setLen(length: number): Promise<void> {
    if (length === this.#length) return;
    throw s3Error('EINVAL', this.#context('ftruncate'), 'an S3 object being written can only grow by writes at its end');
  }

  /** Wait for the parts uploading now (nothing is visible in the bucket before close). */
  async sync(): Promise<void> {
    await Promise.all(this.#parts.map((part) => part.etag));
    if (this.#error !== null) throw this.#error;
  }

  close(): Promise<void> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<void> {
    const context = this.#context('close');
    if (this.#inPlace) return;
    if (this.#uploadId === null && this.#error === null) {
      // Small object: one PUT of what was written (an empty object too).
      const body = this.#part === null ? Buffer.alloc(0) : this.#part.subarray(0, this.#fill);
      const headers: Record<string, string> = this.#ifNoneMatch ? { 'if-none-match': '*' } : {};
      await this.#http.call({ method: 'PUT', key: this.#key, headers, body, context }, true).catch((error: unknown) => {
        throw existsInstead(error, context);
      });
      return;
    }
    if (this.#fill > 0 && this.#error === null) this.#sendPart();
    const uploadId = this.#uploadId;
    const etags = await Promise.allSettled(this.#parts.map((part) => part.etag));
    if (this.#error !== null) {
      // Abandoned: the parts still uploading have settled above, so the abort leaves none behind.
      throw abandoned(this.#error, context, uploadId === null ? 'none' : await this.#abortUpload(uploadId));
    }
    try {
      const list = this.#parts.map((part, i) => {
        const etag = (etags[i] as PromiseFulfilledResult<string>).value;
        return `<Part><PartNumber>${part.number}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`;
      });
      const body = Buffer.from(`<CompleteMultipartUpload>${list.join('')}</CompleteMultipartUpload>`);
      const id = await uploadId!;
      const response = await this.#http.call({ method: 'POST', key: this.#key, query: { uploadId: id }, body, context }, false);
      // CompleteMultipartUpload may answer 200 and still fail, with an <Error> body.
      if (response.body.includes('<Error>')) throw responseError(500, response.body.toString('utf8'), context);
    } catch (error) {
      if (uploadId !== null) await this.#abortUpload(uploadId);
      throw error;
    }
  }

  /**
   * Abort the multipart upload so its parts do not stay stored. Resolves to null when no upload
   * is left (aborted, or never created), or to the abort's own error (the server is gone ...).
   */
  async #abortUpload(uploadId: Promise<string>): Promise<MfioError | null> {
    let id: string;
    try {
      id = await uploadId;
    } catch {
      return null; // CreateMultipartUpload failed: there is no upload
    }
    try {
      await this.#http.call({ method: 'DELETE', key: this.#key, query: { uploadId: id }, context: this.#context('close') }, true, (s) => s < 300 || s === 404);
      return null;
    } catch (error) {
      return MfioError.from(error, this.#context('close'));
    }
  }
}

/**
 * What close of an abandoned object rejects with: the first failure's code, and a message that
 * says nothing was stored, or that the upload's parts may be left if its abort failed too.
 */
function abandoned(first: MfioError, context: S3ErrorContext, abort: 'none' | MfioError | null): MfioError {
  const outcome =
    abort === 'none'
      ? 'nothing was stored'
      : abort === null
        ? 'the multipart upload was aborted and nothing was stored'
        : `nothing was stored, but aborting the multipart upload failed too (${abort.message}): its parts stay until a lifecycle rule or a later abort removes them`;
  return new MfioError(first.code, `${first.code}: object abandoned, close '${context.path ?? ''}' (${outcome}; the first failure: ${first.message})`, {
    ...context,
    ...(first.errno === undefined ? {} : { errno: first.errno }),
    cause: first,
  });
}

/** A createNew object that appeared meanwhile: the PUT's `If-None-Match: *` answers 412, which is EEXIST here. */
function existsInstead(error: unknown, context: S3ErrorContext): unknown {
  if (error instanceof MfioError && (error.code as string) === 'ESTALE') return s3Error('EEXIST', context, 'the object appeared while it was written');
  return error;
}
