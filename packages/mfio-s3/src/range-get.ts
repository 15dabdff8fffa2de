import type { IncomingHttpHeaders } from 'node:http';
import type { MfioError } from '@mfio/core';
import { isRetriable, isRetriableStatus, responseError, transportError, type S3ErrorContext } from './errors.js';
import { backoffMs } from './retry.js';
import type { Exchange, S3Http } from './s3-http.js';

/**
 * Where one wanted run of an object's bytes goes: `length` bytes from `position`, copied into
 * `buffer` at `offset` as they arrive. A {@link RangeGet} fills `got` (bytes copied, from the
 * start) and reports the target exactly once: `complete(got)` (short only past the object's
 * end) or `fail`.
 */
export interface ReadTarget {
  readonly position: number;
  readonly length: number;
  readonly buffer: Uint8Array;
  readonly offset: number;
  got: number;
  /** Called after each copy into the target that leaves it incomplete (to report fragments early). */
  progress?(): void;
  complete(got: number): void;
  fail(error: MfioError): void;
}

/** The largest error body kept (the XML with the S3 code). */
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * One ranged GET (`[start, end)` of a pinned object version) serving targets sorted by
 * position: each chunk of the body is copied straight into every target it covers, and a
 * target completes as soon as its last byte is in, before the rest of the response. Bytes no
 * target wants (a gap of a coalesced read) are skipped, never copied.
 *
 * `If-Match` pins the version: a replaced object fails every target left with ESTALE, so no
 * target ever mixes two versions. A reset, refused connection, timeout or 5xx is retried for
 * the bytes not yet received (with back-off); when the tries run out, the targets left fail
 * with the first transport error (ECONNRESET when the server went away).
 */
export class RangeGet {
  readonly #http: S3Http;
  readonly #key: string;
  readonly #etag: string;
  readonly #context: S3ErrorContext;
  readonly #end: number;
  readonly #targets: ReadTarget[];
  readonly #onDone: () => void;
  /** Next object position the stream delivers (everything before it was handed to targets). */
  #at: number;
  /** First target not reported yet. */
  #first = 0;
  #attempt = 0;
  #exchange: Exchange | null = null;
  #timer: NodeJS.Timeout | null = null;
  #firstError: MfioError | null = null;
  #finished = false;
  // The current response.
  #streamPos = 0;
  #status = 0;
  #errorBody: Buffer[] | null = null;

  constructor(http: S3Http, key: string, etag: string, context: S3ErrorContext, start: number, end: number, targets: ReadTarget[], onDone: () => void) {
    this.#http = http;
    this.#key = key;
    this.#etag = etag;
    this.#context = context;
    this.#at = start;
    this.#end = end;
    this.#targets = targets;
    this.#onDone = onDone;
  }

  /** Send the request. */
  start(): void {
    this.#attempt++;
    this.#status = 0;
    this.#errorBody = null;
    this.#exchange = this.#http.exchange(
      {
        method: 'GET',
        key: this.#key,
        headers: { range: `bytes=${this.#at}-${this.#end - 1}`, 'if-match': this.#etag },
        context: this.#context,
      },
      this,
    );
  }

  /**
   * Give up: the request is aborted (its socket closed, so the server stops sending) and every
   * target not reported yet fails with `error` now; nothing is copied into them afterwards.
   */
  cancel(error: MfioError): void {
    if (this.#finished) return;
    this.#exchange?.abort(error);
    this.#failRest(error);
  }

  onStart(status: number, headers: IncomingHttpHeaders): void {
    this.#status = status;
    if (status === 206) {
      const match = /^bytes (\d+)-/.exec(String(headers['content-range'] ?? ''));
      this.#streamPos = match ? Number(match[1]) : this.#at;
    } else if (status === 200) {
      this.#streamPos = 0; // the whole object (a server that ignored the range)
    } else {
      this.#errorBody = [];
    }
  }

  onData(chunk: Buffer): void {
    if (this.#errorBody !== null) {
      if (this.#errorBody.reduce((n, b) => n + b.length, 0) < ERROR_BODY_LIMIT) this.#errorBody.push(chunk);
      return;
    }
    const chunkStart = this.#streamPos;
    const chunkEnd = chunkStart + chunk.length;
    this.#streamPos = chunkEnd;
    if (chunkEnd <= this.#at) return;
    const targets = this.#targets;
    for (let i = this.#first; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.position >= chunkEnd) break; // sorted by position: no later target starts in this chunk
      const need = t.position + t.got;
      if (t.got === t.length || need >= chunkEnd) continue;
      // The stream is contiguous from the first target's start, so `need` is never below chunkStart
      // except for bytes before #at on a 200 answer, which the max() skips.
      const from = Math.max(need, chunkStart);
      const to = Math.min(t.position + t.length, chunkEnd);
      t.buffer.set(chunk.subarray(from - chunkStart, to - chunkStart), t.offset + (from - t.position));
      t.got = to - t.position;
      if (t.got === t.length) {
        if (i === this.#first) this.#first++;
        t.complete(t.got);
      } else {
        t.progress?.();
      }
    }
    while (this.#first < targets.length && targets[this.#first]!.got === targets[this.#first]!.length) this.#first++;
    if (chunkEnd > this.#at) this.#at = Math.min(chunkEnd, this.#end);
  }

  onEnd(): void {
    if (this.#errorBody !== null) {
      const status = this.#status;
      if (status === 416) return this.#finish(); // past the end: every target left is short
      if (isRetriableStatus(status) && this.#retry()) return;
      const body = Buffer.concat(this.#errorBody).toString('utf8');
      return this.#failRest(responseError(status, body, this.#context));
    }
    this.#finish();
  }

  onError(error: unknown): void {
    const mapped = transportError(error, this.#context);
    this.#firstError ??= mapped;
    if (isRetriable(mapped) && this.#retry()) return;
    this.#failRest(this.#firstError);
  }

  /** Try again for the bytes not received yet, after a back-off; false when out of tries. */
  #retry(): boolean {
    const retry = this.#http.options.retry;
    if (this.#attempt >= retry.attempts) return false;
    this.#exchange = null;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        if (!this.#finished) this.start();
      },
      backoffMs(this.#attempt, retry),
    );
    return true;
  }

  /** The response ended: every target left got what the object had (short past its end). */
  #finish(): void {
    const targets = this.#targets;
    for (let i = this.#first; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.got < t.length) t.complete(t.got);
    }
    this.#first = targets.length;
    this.#done();
  }

  #failRest(error: MfioError): void {
    const targets = this.#targets;
    for (let i = this.#first; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.got < t.length) t.fail(error);
    }
    this.#first = targets.length;
    this.#done();
  }

  #done(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#onDone();
  }
}
