import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { MfioError, asyncDispose, type MfioErrorCode, type SystemErrorCode } from '@mfio/core';
import type { DirHandle, Fs } from '@mfio/rt';
import { DEFAULT_LIMITS, FrameType as T, MIN_FRAME, type Limits } from '../protocol/constants.js';
import { encodeMessage } from '../protocol/encode.js';
import type { WireErrorCode } from '../protocol/error-codes.js';
import { readFileSync } from 'node:fs';
import { HandleBudget } from './handle-table.js';
import { createLogger, type Logger } from './logger.js';
import { PathLock } from './path-lock.js';
import { LexicalResolver, RootResolver } from './root-paths.js';
import { SendBuffers } from './send-buffers.js';
import { ServerConnection } from './server-connection.js';
import { routeByFirstByte } from './tls-first-byte.js';

/**
 * Free READ_DATA buffers the server keeps for reuse, all connections together: 64 reads of
 * 64 KiB in flight on each of 16 connections, or 128 KiB fragments for fewer.
 */
const SEND_BUFFERS_KEPT = 64 << 20;

/** Options of {@link NetFsServer.start}. */
export interface NetFsServerOptions {
  /** The backend serving the files (e.g. `NativeRt.builder().enableAll().build()`); the caller closes it. */
  readonly fs: Fs;
  /** The directory served; clients see it as `/` and cannot leave it. */
  readonly root: string;
  /**
   * `true` (default): `root` is a directory of this machine's filesystem, and client paths are
   * resolved on it (symlinks followed by the server, never out of the root). `false`: `fs` has
   * a namespace of its own without symlinks (an `S3Fs`), and `root` is a path of it: client
   * paths are joined under it as they are.
   */
  readonly hostPaths?: boolean;
  /** Address to listen on (default `127.0.0.1`). Anything but loopback needs a `token`. */
  readonly host?: string;
  /** Port (default 4446; 0 picks a free one, see {@link NetFsServer.address}). */
  readonly port?: number;
  /** The shared secret clients prove they know (HMAC challenge-response); default none (''). */
  readonly token?: string;
  /** Serve TLS with this certificate and key (PEM). */
  readonly tls?: {
    /** The certificate chain, PEM. */
    readonly cert: string | Buffer;
    /** Its private key, PEM. */
    readonly key: string | Buffer;
  };
  /** Refuse every change with EROFS. */
  readonly readOnly?: boolean;
  /**
   * Let SET_PERMISSIONS set the setuid, setgid and sticky bits (default false: a mode above
   * 0o777 is refused with EPERM). A client allowed them could make a file it wrote run with the
   * server's user and group for anyone who can execute it on the host.
   */
  readonly allowSpecialModeBits?: boolean;
  /** Per-connection limits (docs/netfs-protocol.md has the defaults). */
  readonly limits?: Partial<Limits>;
  /**
   * Authenticated connections served at once (default 256): checked when a client proves the
   * token, so over it the client gets FATAL EMFILE instead of WELCOME.
   */
  readonly maxConnections?: number;
  /**
   * Connections still in their handshake at once (default 64). When full, the oldest is closed
   * for the newcomer (FATAL EBUSY, its descriptor freed at once), so strangers holding
   * connections open can neither lock clients out nor use up the server's descriptors.
   */
  readonly maxPendingHandshakes?: number;
  /**
   * File and directory handles open across all connections (default: three quarters of the
   * process's open-file limit on Linux, else 4,096); over it, opens fail with EMFILE.
   */
  readonly maxServerHandles?: number;
  /** Milliseconds a client has to authenticate (default 10 000). */
  readonly handshakeTimeout?: number;
  /** Milliseconds of a connection with nothing in flight before it is closed (default 300 000; 0: never). */
  readonly idleTimeout?: number;
  /** Where connection events go (default: nothing). */
  readonly log?: Logger;
}

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** Three quarters of this process's soft open-file limit (Linux), so handles leave room for sockets. */
function defaultServerHandles(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isSafeInteger(soft) && soft > 0) return Math.max(16, Math.floor(soft * 0.75));
  } catch {
    // not Linux
  }
  return 4096;
}

/**
 * The root as a directory handle whose `openFileBeneath` works (native backends on Linux), or
 * null: probed by opening the root itself, which such a backend refuses with EISDIR.
 */
async function beneathRoot(fs: Fs, root: string): Promise<DirHandle | null> {
  const dir = await fs.currentDir().openDir(root);
  try {
    await (await dir.openFileBeneath('.')).close();
  } catch (error) {
    if ((error as { code?: MfioErrorCode }).code === 'EISDIR') return dir;
  }
  return null;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new MfioError('ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be a positive integer. Received ${value}`);
  }
  return value;
}

function checkedLimits(given: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  const check = (name: keyof Limits, min: number, max: number): void => {
    const v = limits[name];
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      throw new MfioError('ERR_OUT_OF_RANGE', `The value of "limits.${name}" is out of range. It must be an integer from ${min} to ${max}. Received ${v}`);
    }
  };
  check('maxFrame', MIN_FRAME, 64 * 1024 * 1024);
  check('maxRead', 1, 0xffffffff);
  check('maxInFlight', 1, 65536);
  check('maxHandles', 1, 1 << 20);
  return limits;
}

/**
 * The netfs server: serves one directory of any `@mfio/rt` Fs to netfs clients, each
 * connection independent (docs/netfs-protocol.md).
 * @example
 * const rt = NativeRt.builder().enableAll().build();
 * const server = await NetFsServer.start({ fs: rt, root: '/srv/data', port: 0 });
 * console.log(server.address().port);
 * await server.close();
 * await rt.close();
 * @example
 * // AsyncDisposable: disposed in reverse order, the server stops before the runtime closes.
 * await using rt = NativeRt.builder().enableAll().build();
 * await using server = await NetFsServer.start({ fs: rt, root: '/srv/data', port: 0 });
 */
export class NetFsServer {
  readonly #server: Server;
  readonly #connections = new Set<ServerConnection>();
  /**
   * Those admitted at the end of their handshake, until they are gone (handles released): what
   * maxConnections counts.
   */
  readonly #authenticated = new Set<ServerConnection>();
  readonly #log: Logger;
  #closing: Promise<void> | null = null;

  /** Closers of the TLS server's connections still waiting for their first byte. */
  readonly #waitingForFirstBytes: Set<() => void>;

  private constructor(server: Server, log: Logger, waitingForFirstBytes: Set<() => void>) {
    this.#server = server;
    this.#log = log;
    this.#waitingForFirstBytes = waitingForFirstBytes;
  }

  /**
   * Check the options, resolve the root, listen.
   * @throws {MfioError} ERR_INVALID_ARG_VALUE for a non-loopback host without a token;
   * ERR_OUT_OF_RANGE for a bad limit; ENOENT/ENOTDIR for the root; EADDRINUSE and other listen errors.
   */
  static async start(options: NetFsServerOptions): Promise<NetFsServer> {
    const host = options.host ?? '127.0.0.1';
    const token = options.token ?? '';
    if (token === '' && !isLoopback(host)) {
      throw new MfioError(
        'ERR_INVALID_ARG_VALUE',
        `Refusing to serve ${host} without a token: anyone on the network could use it. Use a loopback address or set a token.`,
      );
    }
    const limits = checkedLimits(options.limits);
    const resolver = options.hostPaths === false ? await LexicalResolver.create(options.fs, options.root) : await RootResolver.create(options.root);
    const log = options.log ?? createLogger('silent');
    const maxConnections = positiveInteger('maxConnections', options.maxConnections ?? 256);
    const maxPending = positiveInteger('maxPendingHandshakes', options.maxPendingHandshakes ?? 64);
    const budget = new HandleBudget(positiveInteger('maxServerHandles', options.maxServerHandles ?? defaultServerHandles()));
    // Connections still in their handshake, oldest first; each leaves it once, whichever way.
    const pending = new Set<ServerConnection>();
    const config = {
      dir: options.fs.currentDir(),
      beneath: await beneathRoot(options.fs, resolver.root),
      resolver,
      token,
      readOnly: options.readOnly ?? false,
      allowSpecialModeBits: options.allowSpecialModeBits ?? false,
      tls: options.tls !== undefined,
      limits,
      handshakeTimeout: options.handshakeTimeout ?? 10_000,
      idleTimeout: options.idleTimeout ?? 300_000,
      log,
      paths: new PathLock(),
      budget,
      sendBuffers: new SendBuffers(SEND_BUFFERS_KEPT),
      admit: (connection: ServerConnection) => {
        const authenticated = self!.#authenticated;
        if (authenticated.size >= maxConnections) return false;
        authenticated.add(connection);
        return true;
      },
      onHandshakeEnd: (connection: ServerConnection) => pending.delete(connection),
    };
    let serial = 0;
    let self: NetFsServer | null = null;
    const accept = (socket: Socket): void => {
      const name = `conn#${++serial} ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      const connections = self!.#connections;
      const authenticated = self!.#authenticated;
      // Checked here too so a full server says so at once; the check that holds is admit's.
      if (self!.#closing !== null || authenticated.size >= maxConnections) {
        log.warn(`${name} refused: ${self!.#closing !== null ? 'shutting down' : `${maxConnections} connections already`}`);
        refuse(socket, 'EMFILE', 'too many connections');
        return;
      }
      // Only connections still in their handshake hold a slot (one that failed it and is
      // closing does not), and an evicted one leaves at once, so each newcomer evicts another.
      for (const oldest of pending) {
        if (pending.size < maxPending) break;
        pending.delete(oldest);
        oldest.evict();
      }
      log.info(`${name} connected`);
      const connection = new ServerConnection(socket, config, name, (c) => {
        connections.delete(c);
        pending.delete(c);
        authenticated.delete(c);
      });
      connections.add(connection);
      pending.add(connection);
    };
    let server: Server;
    const waitingForFirstBytes = new Set<() => void>();
    if (options.tls === undefined) {
      server = createServer(accept);
    } else {
      // TLS: a stranger's TLS handshake gets the same deadline as ours, not Node's 120 s. The
      // TLS server does not listen: connections are handed to it (its documented 'connection'
      // injection) once their first byte says they speak TLS.
      const tlsServer = createTlsServer(
        { cert: options.tls.cert, key: options.tls.key, ...(config.handshakeTimeout > 0 ? { handshakeTimeout: config.handshakeTimeout } : {}) },
        accept,
      );
      // A client that fails the TLS handshake is one log line, not a server error; OpenSSL's
      // reason ("tlsv1 alert unknown ca"), not its raw error string.
      tlsServer.on('tlsClientError', (error: Error & { reason?: string; code?: string }, socket: Socket) =>
        log.warn(`${peerName(socket)}: TLS handshake failed: ${error.reason ?? error.code ?? error.message}`),
      );
      server = createServer((socket) => {
        const close = routeByFirstByte(socket, {
          timeoutMs: config.handshakeTimeout,
          tls: (tlsSocket) => {
            waitingForFirstBytes.delete(close);
            tlsServer.emit('connection', tlsSocket);
          },
          plain: (plainSocket) => {
            waitingForFirstBytes.delete(close);
            log.warn(`${peerName(plainSocket)} refused: not TLS (this server expects TLS; a netfs client connects with the tls option)`);
            refuse(plainSocket, 'EPROTO', 'this server expects TLS: connect with the tls option');
          },
        });
        waitingForFirstBytes.add(close);
        socket.once('close', () => waitingForFirstBytes.delete(close));
      });
    }
    self = new NetFsServer(server, log, waitingForFirstBytes);
    server.listen(options.port ?? 4446, host);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // An accept can still fail later (EMFILE where libuv's spare descriptor did not help,
    // ENOBUFS, ...): Node makes it the server's 'error', which without a listener would end the
    // process and every client's connection with it. Out of descriptors, the oldest stranger
    // gives its own up so the next accept can work.
    server.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code as SystemErrorCode | undefined;
      const oldest = code === 'EMFILE' || code === 'ENFILE' ? pending.values().next().value : undefined;
      log.error(`accept failed: ${error.message}${oldest ? `; evicting ${oldest.name}` : ''}`);
      if (oldest === undefined) return;
      pending.delete(oldest);
      oldest.evict();
    });
    log.info(
      `serving ${resolver.root} on ${host}:${(server.address() as AddressInfo).port}${options.tls ? ' (TLS)' : ''}${config.readOnly ? ' read-only' : ''}${config.allowSpecialModeBits ? '; clients may set setuid, setgid and sticky' : ''}${config.beneath ? '; opens checked by the kernel (openat2 RESOLVE_BENEATH)' : ''}`,
    );
    return self;
  }

  /** Where the server listens. */
  address(): {
    /** The address listened on (`'127.0.0.1'`, `'::'`, ...). */
    host: string;
    /** The port (the one the OS chose for `port: 0`). */
    port: number;
  } {
    const address = this.#server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  /** Connections open now, in their handshake or not. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Connections that completed the handshake and are not gone yet: never over `maxConnections`. */
  get authenticated(): number {
    return this.#authenticated.size;
  }

  /**
   * Stop accepting, let requests in flight finish (at most `graceMs`), close every connection
   * and release its handles. Idempotent; never rejects.
   */
  close(graceMs = 5000): Promise<void> {
    this.#closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      for (const close of this.#waitingForFirstBytes) close();
      await Promise.all([...this.#connections].map((c) => c.shutdown(graceMs)));
      await stopped;
      this.#log.info('server closed');
    })();
    return this.#closing;
  }

  /**
   * {@link close} with the default grace (5 s): `await using server = await NetFsServer.start(...)`
   * stops the server at the end of the scope. The `fs` it serves stays open (it is the caller's).
   */
  [asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * `HOST:PORT` of a socket's peer, for log lines about connections that never got a number;
 * `a client` once the socket is gone (a client that reset its TLS handshake).
 */
function peerName(socket: Socket): string {
  return socket.remoteAddress === undefined ? 'a client' : `${socket.remoteAddress}:${socket.remotePort ?? '?'}`;
}

/**
 * Answer a connection that is not served with one FATAL frame and close it. What it sent is
 * read, so the close is a FIN after the FATAL, not a reset that could drop it. Its descriptor
 * goes as soon as the frame is handed to the kernel: a refused stranger that keeps its end open
 * must not hold one.
 */
function refuse(socket: Socket, code: WireErrorCode, message: string): void {
  socket.on('error', () => undefined);
  socket.resume();
  socket.end(encodeMessage({ type: T.FATAL, id: 0, code, message }), () => socket.destroy());
  setTimeout(() => socket.destroy(), 2000).unref(); // a peer whose window is shut
}
