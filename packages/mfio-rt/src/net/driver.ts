import type { IoBackend, MfioError, PacketView } from '@mfio/core';

/** An IP endpoint. */
export interface SocketAddress {
  /** `'127.0.0.1'`, `'::1'`, ... */
  readonly address: string;
  /** The port number. */
  readonly port: number;
  /** The address family. */
  readonly family: 'IPv4' | 'IPv6';
}

/** Which half of a connection {@link TcpStream.shutdown} closes. */
export type ShutdownHow = 'read' | 'write' | 'both';

/**
 * A connected stream as a driver sees it. The shared layer ({@link DriverTcp}) guarantees that
 * no request is sent after `close` or `destroy`. `destroy` may arrive while a graceful `close` is
 * still under way (rt.close, Duplex destroy): the driver then resets, releases the socket once,
 * and settles both.
 */
export interface RawStream {
  /**
   * Submit a read or a write; complete the view later, never throw. Reads complete in order.
   * With `fill`, a read completes when the view is full, or at end of stream with the bytes
   * received (fewer, possibly 0); without it, as soon as at least one byte arrived (or at end of
   * stream with 0). A write completes when the bytes are accepted by the connection.
   */
  sendIo(view: PacketView, fill: boolean): void;
  /** Shut down one or both directions: later writes fail with EPIPE, later reads see end of stream. */
  shutdown(how: ShutdownHow): void;
  /** Graceful: pending reads fail with ECANCELED, writes already accepted are flushed, then FIN and release. */
  close(): Promise<void>;
  /** Forceful: every pending request fails with `error`, the connection is reset and released. */
  destroy(error: MfioError): Promise<void>;
  /** The local endpoint (for a listener on port 0, the port the OS chose). */
  localAddress(): SocketAddress;
  /** The peer's endpoint. */
  remoteAddress(): SocketAddress;
}

/** A listening socket as a driver sees it. */
export interface RawListener {
  /** The next incoming connection; rejects with ECANCELED once closed. */
  accept(): Promise<RawStream>;
  /** The local endpoint (for a listener on port 0, the port the OS chose). */
  localAddress(): SocketAddress;
  /** Stop listening: pending accepts reject with ECANCELED, connections not yet accepted are reset. */
  close(): Promise<void>;
}

/** What a backend implements for TCP; {@link DriverTcp} turns it into the public {@link Tcp} API. */
export interface TcpDriver {
  /** What completes this driver's stream I/O (its name is the backend's name). */
  readonly backend: IoBackend;
  /** Connect; aborting `signal` rejects with its reason and releases the socket. */
  connect(host: string, port: number, signal: AbortSignal): Promise<RawStream>;
  /** Listen on `host`:`port` (0: any free port) with an accept queue of `backlog`. */
  listen(host: string, port: number, backlog: number): Promise<RawListener>;
}
