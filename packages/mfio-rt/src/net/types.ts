import type { Duplex } from 'node:stream';
import type { IoBackend, IoOptions, PacketIo, WriteSource } from '@mfio/core';
import type { ShutdownHow, SocketAddress } from './driver.js';

/**
 * A connected TCP stream: a `PacketIo` without position. Reads complete in order, each when its
 * buffer is full or at end of stream with the bytes received (so a short read means the peer
 * finished sending); writes complete when the connection has accepted the bytes.
 *
 * Every method rejects with EBADF after {@link close} (or the runtime's close).
 * @example
 * const stream = await rt.connect('127.0.0.1', port);
 * await stream.write('ping');
 * const reply = await stream.read(4);
 * await stream.close();
 */
export interface TcpStream extends PacketIo<void> {
  readonly backend: IoBackend;
  /** True once {@link close} was called. */
  readonly closed: boolean;
  /**
   * Read until `length` bytes (or `buffer` is full) or end of stream.
   * @returns the bytes (a new Buffer) or the count read into `buffer`; fewer only at end of stream.
   * @throws {MfioError} ECONNRESET and other socket errors (with `bytesTransferred`); EBADF; ABORT_ERR.
   */
  read(length: number, options?: IoOptions): Promise<Buffer>;
  /** The same into `buffer`: resolves to the count read, fewer than its length only at end of stream. */
  read(buffer: Uint8Array, options?: IoOptions): Promise<number>;
  /** Like {@link read}, but end of stream before the buffer is full rejects with ERR_UNEXPECTED_EOF. */
  readExact(length: number, options?: IoOptions): Promise<Buffer>;
  /** The same into `buffer`: resolves once it is full. */
  readExact(buffer: Uint8Array, options?: IoOptions): Promise<void>;
  /** Read whatever is available, at least one byte and at most `length`; 0 bytes only at end of stream. */
  readSome(length: number, options?: IoOptions): Promise<Buffer>;
  /** The same into `buffer`: resolves to the count read. */
  readSome(buffer: Uint8Array, options?: IoOptions): Promise<number>;
  /** Read until end of stream. @throws {MfioError} ERR_FS_FILE_TOO_LARGE past `maxLength`. */
  readToEnd(options?: IoOptions & { maxLength?: number }): Promise<Buffer>;
  /**
   * Write all of `data` (strings as UTF-8); resolves when every byte was accepted.
   * @throws {MfioError} EPIPE after `shutdown('write')`; ECONNRESET; EBADF; ABORT_ERR.
   */
  write(data: WriteSource, options?: IoOptions): Promise<void>;
  /** Close reading (later reads see end of stream), writing (sends FIN; later writes fail with EPIPE) or both. */
  shutdown(how: ShutdownHow): void;
  /** The local endpoint (for a listener on port 0, the port the OS chose). */
  localAddress(): SocketAddress;
  /** The peer's endpoint. */
  remoteAddress(): SocketAddress;
  /**
   * A Node `Duplex` over this stream (reads with {@link readSome}, `end()` shuts down writing,
   * `destroy()` closes the stream). Use it with `pipeline` and libraries that want Node streams.
   */
  toDuplex(): Duplex;
  /**
   * Close gracefully: pending reads fail with ECANCELED, accepted writes are flushed, the peer
   * gets FIN. Resolves when the socket is released. Calling it again returns the same promise.
   */
  close(): Promise<void>;
  /** {@link close}, for `await using stream = await rt.connect(host, port)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A listening TCP socket: an async iterable of accepted streams, ending when it is closed.
 * @example
 * const listener = await rt.listen('127.0.0.1', 0);
 * for await (const stream of listener) void serve(stream);
 */
export interface TcpListener extends AsyncIterable<TcpStream> {
  /** The local endpoint (for a listener on port 0, the port the OS chose). */
  localAddress(): SocketAddress;
  /** The next connection. @throws {MfioError} ECANCELED once the listener is closed; EBADF. */
  accept(): Promise<TcpStream>;
  /** Stop listening; pending accepts reject with ECANCELED and iteration ends. Streams already accepted stay open. */
  close(): Promise<void>;
  /** {@link close}, for `await using listener = await rt.listen(host, 0)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link Tcp.listen}. */
export interface ListenOptions {
  /** Pending connection queue length (default 511). */
  backlog?: number;
}

/** TCP client and server sockets of a runtime. */
export interface Tcp {
  /**
   * Connect to `host:port`.
   * @throws {MfioError} ECONNREFUSED, ENOTFOUND, ETIMEDOUT...; EBADF after the runtime closed; ABORT_ERR.
   */
  connect(host: string, port: number, options?: IoOptions): Promise<TcpStream>;
  /** Listen on `host:port` (port 0: any free port, see `localAddress()`). @throws {MfioError} EADDRINUSE, EACCES. */
  listen(host: string, port: number, options?: ListenOptions): Promise<TcpListener>;
}

export type { ShutdownHow, SocketAddress };
