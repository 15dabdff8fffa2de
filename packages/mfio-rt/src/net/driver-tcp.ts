import { Duplex } from 'node:stream';
import { constants as bufferConstants } from 'node:buffer';
import {
  abortError,
  asyncDispose,
  checkOptions,
  IO_OPTION_KEYS,
  readResult,
  awaitPacket,
  readBuffer,
  transferredOrThrow,
  writeBytes,
  invalidArgType,
  MfioError,
  outOfRange,
  toLength,
  type IoBackend,
  type IoOptions,
  type PacketResult,
  type PacketView,
  type ReadTarget,
  type WriteSource,
} from '@mfio/core';
import { closedError, Resources, type Closeable } from '../lifecycle/resources.js';
import type { RawListener, RawStream, ShutdownHow, SocketAddress, TcpDriver } from './driver.js';
import type { ListenOptions, Tcp, TcpListener, TcpStream } from './types.js';

/**
 * The {@link Tcp} of a driver-based backend: validation, closed-handle checks, the high-level
 * stream API and runtime close are shared; the backend supplies a {@link TcpDriver}.
 */
export class DriverTcp implements Tcp {
  /** @internal */
  readonly driver: TcpDriver;
  /** @internal */
  readonly resources: Resources;

  /** `resources` is shared with the runtime's Fs so one close covers both. */
  constructor(driver: TcpDriver, resources: Resources = new Resources()) {
    this.driver = driver;
    this.resources = resources;
  }

  async connect(host: string, port: number, options?: IoOptions): Promise<TcpStream> {
    checkOptions(options, IO_OPTION_KEYS);
    checkHost(host);
    checkPort(port);
    const user = options?.signal;
    if (user !== undefined && !(user instanceof AbortSignal)) throw invalidArgType('options.signal', 'an instance of AbortSignal', user);
    if (user?.aborted) throw abortError(user);
    // One controller per connect, listening to the caller's signal and the runtime's close, both
    // removed when the connect settles (AbortSignal.any would keep listeners until GC).
    const controller = new AbortController();
    const onClose = (): void => controller.abort(this.resources.signal.reason);
    const onUser = (): void => controller.abort(abortError(user));
    this.resources.signal.addEventListener('abort', onClose, { once: true });
    user?.addEventListener('abort', onUser, { once: true });
    const raw = await this.resources
      .run(
        'connect',
        undefined,
        () => this.driver.connect(host, port, controller.signal),
        (late) => late.close(),
      )
      .finally(() => {
        this.resources.signal.removeEventListener('abort', onClose);
        user?.removeEventListener('abort', onUser);
      });
    const stream = new DriverTcpStream(raw, this.driver.backend, this.resources);
    this.resources.add(stream);
    return stream;
  }

  async listen(host: string, port: number, options: ListenOptions = {}): Promise<TcpListener> {
    checkOptions(options, ['backlog']);
    checkHost(host);
    checkPort(port);
    const backlog = options.backlog ?? 511;
    toLength(backlog, 'options.backlog');
    const raw = await this.resources.run(
      'listen',
      undefined,
      () => this.driver.listen(host, port, backlog),
      (late) => late.close(),
    );
    const listener = new DriverTcpListener(raw, this.driver.backend, this.resources);
    this.resources.add(listener);
    return listener;
  }
}

function checkHost(host: unknown): void {
  if (typeof host !== 'string') throw invalidArgType('host', 'of type string', host);
}

function checkPort(port: unknown): void {
  if (typeof port !== 'number') throw invalidArgType('port', 'of type number', port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw outOfRange('port', '>= 0 and <= 65535', port);
}

const READ_CHUNK = 64 * 1024;

class DriverTcpStream implements TcpStream, Closeable {
  readonly backend: IoBackend;
  readonly #raw: RawStream;
  readonly #resources: Resources;
  #closing: Promise<void> | null = null;
  #destroying: Promise<void> | null = null;

  constructor(raw: RawStream, backend: IoBackend, resources: Resources) {
    this.#raw = raw;
    this.backend = backend;
    this.#resources = resources;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  sendIo(_param: void, view: PacketView): void {
    this.#send(view, true);
  }

  #send(view: PacketView, fill: boolean): void {
    if (this.#closing !== null) view.fail(closedError(view.direction === 'read' ? 'read' : 'write'));
    else this.#raw.sendIo(view, fill);
  }

  #run(buffer: Uint8Array, direction: 'read' | 'write', fill: boolean, options?: IoOptions): Promise<PacketResult> {
    // Every read and write passes here: a misplaced argument or unknown option fails, not vanishes.
    checkOptions(options, IO_OPTION_KEYS);
    return awaitPacket(buffer, direction, (packet) => this.#send(packet.view(), fill), options?.signal);
  }

  read(length: number, options?: IoOptions): Promise<Buffer>;
  read(buffer: Uint8Array, options?: IoOptions): Promise<number>;
  async read(target: ReadTarget, options?: IoOptions): Promise<Buffer | number> {
    const buffer = readBuffer(target);
    const n = transferredOrThrow(await this.#run(buffer, 'read', true, options));
    return typeof target === 'number' ? readResult(buffer, n) : n;
  }

  readExact(length: number, options?: IoOptions): Promise<Buffer>;
  readExact(buffer: Uint8Array, options?: IoOptions): Promise<void>;
  async readExact(target: ReadTarget, options?: IoOptions): Promise<Buffer | void> {
    const buffer = readBuffer(target);
    const n = transferredOrThrow(await this.#run(buffer, 'read', true, options));
    if (n < buffer.length) {
      const error = new MfioError('ERR_UNEXPECTED_EOF', `Unexpected end of stream: wanted ${buffer.length} bytes, got ${n}`);
      error.bytesTransferred = n;
      throw error;
    }
    if (typeof target === 'number') return readResult(buffer, n);
  }

  readSome(length: number, options?: IoOptions): Promise<Buffer>;
  readSome(buffer: Uint8Array, options?: IoOptions): Promise<number>;
  async readSome(target: ReadTarget, options?: IoOptions): Promise<Buffer | number> {
    const buffer = readBuffer(target);
    const n = transferredOrThrow(await this.#run(buffer, 'read', false, options));
    return typeof target === 'number' ? readResult(buffer, n) : n;
  }

  async readToEnd(options: IoOptions & { maxLength?: number } = {}): Promise<Buffer> {
    checkOptions(options, [...IO_OPTION_KEYS, 'maxLength']);
    const maxLength = toLength(options.maxLength ?? bufferConstants.MAX_LENGTH, 'options.maxLength', bufferConstants.MAX_LENGTH);
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      // readSome: take what is there, so memory follows the data, not a guess at its size.
      const chunk = await this.readSome(READ_CHUNK, { signal: options.signal });
      if (chunk.length === 0) break;
      total += chunk.length;
      if (total > maxLength) throw new MfioError('ERR_FS_FILE_TOO_LARGE', `The data is larger than maxLength (${maxLength} bytes)`);
      parts.push(chunk);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  }

  async write(data: WriteSource, options?: IoOptions): Promise<void> {
    const bytes = writeBytes(data);
    let done = 0;
    while (done < bytes.length) {
      const result = await this.#run(bytes.subarray(done), 'write', true, options);
      done += result.transferred;
      if (result.error !== null) throw result.error.withBytesTransferred(done);
      if (result.transferred === 0) {
        const error = new MfioError('ERR_WRITE_ZERO', 'The connection accepted no bytes');
        error.bytesTransferred = done;
        throw error;
      }
    }
  }

  shutdown(how: ShutdownHow): void {
    if (how !== 'read' && how !== 'write' && how !== 'both') throw invalidArgType('how', "one of 'read', 'write', 'both'", how);
    if (this.#closing !== null) throw closedError('shutdown');
    this.#raw.shutdown(how);
  }

  localAddress(): SocketAddress {
    return this.#raw.localAddress();
  }

  remoteAddress(): SocketAddress {
    return this.#raw.remoteAddress();
  }

  toDuplex(): Duplex {
    return toDuplex(this, () => this.#destroy());
  }

  close(): Promise<void> {
    // Tracked until the driver's close settles, so the runtime's close waits for it (and can
    // escalate it: a graceful close waits for the peer to take our writes, maybe forever).
    this.#closing ??= this.#resources.untrackAfter(this, this.#raw.close());
    return this.#closing;
  }

  [asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Forceful close: pending requests fail with ECANCELED, the connection is reset. Escalates a
   * graceful close in progress (the driver then releases the socket once, settling both).
   * Never rejects.
   */
  #destroy(): Promise<void> {
    if (this.#destroying === null) {
      this.#destroying = this.#raw.destroy(MfioError.fromCode('ECANCELED', { syscall: 'close' }));
      this.#closing ??= this.#resources.untrackAfter(this, this.#destroying);
    }
    return Promise.allSettled([this.#closing, this.#destroying]).then(() => undefined);
  }

  /** @internal runtime close: reset the connection, failing what is pending with ECANCELED. */
  shut(): Promise<void> {
    return this.#destroy();
  }
}

/**
 * The Node `Duplex` adapter of a {@link TcpStream}. `destroy()` after both sides finished
 * cleanly is a graceful close (nothing is pending); otherwise (an error, or destroyed early) it
 * is `kill`: pending requests fail and the connection is reset, as Node's streams expect of
 * destroy (it must not wait for a peer that does not read).
 */
function toDuplex(stream: TcpStream, kill: () => Promise<void>): Duplex {
  return new Duplex({
    read(size) {
      stream.readSome(Math.max(size, READ_CHUNK)).then(
        (chunk) => this.push(chunk.length > 0 ? chunk : null),
        (error: unknown) => this.destroy(error as Error),
      );
    },
    write(chunk: Buffer, _encoding, callback) {
      stream.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      try {
        stream.shutdown('write');
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    destroy(error, callback) {
      const clean = error === null && this.readableEnded && this.writableFinished;
      (clean ? stream.close() : kill()).then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

class DriverTcpListener implements TcpListener, Closeable {
  readonly #raw: RawListener;
  readonly #backend: IoBackend;
  readonly #resources: Resources;
  #closing: Promise<void> | null = null;

  constructor(raw: RawListener, backend: IoBackend, resources: Resources) {
    this.#raw = raw;
    this.#backend = backend;
    this.#resources = resources;
  }

  localAddress(): SocketAddress {
    return this.#raw.localAddress();
  }

  async accept(): Promise<TcpStream> {
    if (this.#closing !== null) throw closedError('accept');
    const raw = await this.#resources.run(
      'accept',
      undefined,
      () => this.#raw.accept(),
      (late) => late.close(),
    );
    const stream = new DriverTcpStream(raw, this.#backend, this.#resources);
    this.#resources.add(stream);
    return stream;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TcpStream> {
    while (this.#closing === null) {
      let stream: TcpStream;
      try {
        stream = await this.accept();
      } catch (error) {
        // Closing the listener (or the runtime) ends the iteration; other errors are real.
        if (this.#closing !== null || this.#resources.closed) return;
        throw error;
      }
      yield stream;
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#resources.untrackAfter(this, this.#raw.close());
    return this.#closing;
  }

  [asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal never rejects. */
  shut(): Promise<void> {
    return this.close().catch(() => undefined);
  }
}
