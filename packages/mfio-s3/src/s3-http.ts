import type { IncomingHttpHeaders } from 'node:http';
import { MfioError } from '@mfio/core';
import { Pool, type Dispatcher } from 'undici';
import { isRetriable, isRetriableStatus, responseError, transportError, type S3ErrorContext } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { backoffMs, sleep } from './retry.js';
import { encodeKey, encodeRfc3986, Signer } from './signer.js';

/** One S3 request: on the bucket (`key` null) or on an object. */
export interface S3Request {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'POST';
  readonly key: string | null;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** The operation and path errors name. */
  readonly context: S3ErrorContext;
}

/** A whole response, for the requests whose answer is small (HEAD, LIST, PUT, DELETE ...). */
export interface S3Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What one exchange reports: the stream of a response, or the failure of the transport. */
export interface ExchangeSink {
  onStart(status: number, headers: IncomingHttpHeaders): void;
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(error: unknown): void;
}

/** The handle of one exchange: abort it (the socket is closed, nothing more is reported). */
export interface Exchange {
  abort(reason: Error): void;
}

/** The id of the next exchange, as `describeInFlight` names it. */
let nextId = 1;

/**
 * The HTTP side of an S3Fs: one undici keep-alive pool to the endpoint, SigV4 on each request,
 * retries of idempotent requests. Requests beyond the pool's connections wait in undici's
 * queue, in order.
 */
export class S3Http {
  readonly options: ResolvedOptions;
  readonly #pool: Pool;
  readonly #signer: Signer;
  readonly #bucketPath: string;
  /** In flight, for diagnostics: id → [operation, start time]. */
  readonly #inFlight = new Map<number, [string, number]>();
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.#pool = new Pool(options.endpoint.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
    });
    this.#signer = new Signer(options.credentials, options.region, options.endpoint.host);
    this.#bucketPath = `${options.endpoint.pathname.replace(/\/$/, '')}/${encodeRfc3986(options.bucket)}`;
  }

  /** The full key of an Fs path (`/a/b` → `<prefix>a/b`). */
  key(path: string): string {
    return this.options.prefix + path.replace(/^\/+/, '');
  }

  /**
   * Start one exchange (no retry): the response streams into `sink`. Never throws: a failure to
   * start reaches `sink.onError`.
   */
  exchange(request: S3Request, sink: ExchangeSink): Exchange {
    const id = nextId++;
    const label = `${request.method} ${request.context.syscall ?? ''}`;
    this.#inFlight.set(id, [label, performance.now()]);
    const done = (): void => void this.#inFlight.delete(id);
    const handler = new SinkHandler(sink, done);
    if (this.#closed) {
      queueMicrotask(() => handler.onResponseError(null, new MfioError('EBADF', 'EBADF: the S3Fs is closed', request.context)));
      return handler;
    }
    try {
      const path = this.#path(request);
      const headers = this.#signer.sign(request.method, path, {
        ...request.headers,
        ...(request.body ? { 'content-length': String(request.body.length) } : {}),
      });
      this.#pool.dispatch({ path, method: request.method, headers, body: request.body ?? null }, handler);
    } catch (error) {
      queueMicrotask(() => handler.onResponseError(null, error as Error));
    }
    return handler;
  }

  /**
   * One request with its whole response, retried (with back-off and jitter) on 5xx, 503
   * SlowDown and connection trouble when `idempotent`. A 3xx/4xx/5xx answer rejects with its
   * Node-style code unless `accept` says it is expected.
   * @throws {MfioError} the mapped S3 error, or the first transport error when every try failed.
   */
  async call(request: S3Request, idempotent: boolean, accept: (status: number) => boolean = (s) => s < 300): Promise<S3Response> {
    const { retry } = this.options;
    let firstTransport: MfioError | null = null;
    for (let attempt = 1; ; attempt++) {
      let response: S3Response;
      try {
        response = await this.#once(request);
      } catch (error) {
        const mapped = transportError(error, request.context);
        firstTransport ??= mapped;
        if (idempotent && isRetriable(mapped) && attempt < retry.attempts && !this.#closed) {
          await sleep(backoffMs(attempt, retry));
          continue;
        }
        throw firstTransport;
      }
      if (isRetriableStatus(response.status) && idempotent && attempt < retry.attempts && !this.#closed) {
        await sleep(backoffMs(attempt, retry));
        continue;
      }
      if (!accept(response.status)) {
        const head = request.method !== 'HEAD' ? undefined : request.key === null ? 'bucket' : 'object';
        throw responseError(response.status, response.body.toString('utf8'), request.context, head);
      }
      return response;
    }
  }

  #once(request: S3Request): Promise<S3Response> {
    return new Promise((resolve, reject) => {
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      this.exchange(request, {
        onStart: (s, h) => {
          status = s;
          headers = h;
        },
        onData: (chunk) => chunks.push(chunk),
        onEnd: () => resolve({ status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }),
        onError: reject,
      });
    });
  }

  #path(request: S3Request): string {
    let path = request.key === null ? this.#bucketPath : `${this.#bucketPath}/${encodeKey(request.key)}`;
    if (request.query !== undefined) {
      const pairs = Object.entries(request.query).map(([k, v]) => (v === '' ? encodeRfc3986(k) : `${encodeRfc3986(k)}=${encodeRfc3986(v)}`));
      if (pairs.length > 0) path += `?${pairs.join('&')}`;
    }
    return path;
  }

  /** What is in flight, oldest first. */
  describeInFlight(): Array<{ op: string; state: 'submitted'; ageMs: number; id: number }> {
    const now = performance.now();
    return [...this.#inFlight].map(([id, [op, at]]) => ({ op, state: 'submitted' as const, ageMs: Math.round(now - at), id }));
  }

  /** Close the pool: requests in flight fail (ECONNRESET-style), later ones with EBADF. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.destroy();
  }
}

/**
 * undici's handler for one exchange, forwarding to an {@link ExchangeSink}. An abort before
 * undici started the request is kept and applied when it starts; after an abort the sink hears
 * nothing more, so a buffer whose read was given up is never written again.
 */
class SinkHandler implements Dispatcher.DispatchHandler, Exchange {
  readonly #sink: ExchangeSink;
  readonly #done: () => void;
  #controller: Dispatcher.DispatchController | null = null;
  #abortReason: Error | null = null;
  #finished = false;

  constructor(sink: ExchangeSink, done: () => void) {
    this.#sink = sink;
    this.#done = done;
  }

  abort(reason: Error): void {
    if (this.#finished || this.#abortReason !== null) return;
    this.#abortReason = reason;
    this.#finish();
    this.#controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason !== null) controller.abort(this.#abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (!this.#finished) this.#sink.onStart(status, headers);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#finished) this.#sink.onData(chunk);
  }

  onResponseEnd(): void {
    if (this.#finished) return;
    this.#finish();
    this.#sink.onEnd();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.#finished) return;
    this.#finish();
    this.#sink.onError(error);
  }

  #finish(): void {
    this.#finished = true;
    this.#done();
  }
}
