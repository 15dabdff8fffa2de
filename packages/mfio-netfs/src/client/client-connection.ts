import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { MfioError, type ErrorContext, type InFlightRequest, type MfioErrorCode, type PacketView } from '@mfio/core';
import { Feature, FrameType as T, MIN_FRAME, NONCE_BYTES, VERSION, WRITE_OVERHEAD, type Limits } from '../protocol/constants.js';
import { decodeResponse } from '../protocol/decode.js';
import { encodeMessage } from '../protocol/encode.js';
import type { WireErrorCode } from '../protocol/error-codes.js';
import { FrameReader } from '../protocol/frame-reader.js';
import { clientProof, sameProof, serverProof } from '../protocol/handshake.js';
import type { Request, Response } from '../protocol/messages.js';
import { protocolError } from '../protocol/protocol-error.js';
import { TurnCork } from '../protocol/turn-cork.js';
import { ReadAssembly } from './read-assembly.js';
import { SocketInput } from './socket-input.js';

/** Options of `NetFs.connect`. */
export interface NetFsConnectOptions {
  /** Server address (default `127.0.0.1`). */
  readonly host?: string;
  /** Server port (default 4446). */
  readonly port?: number;
  /** The shared token the server was started with (default '': a server without a token). */
  readonly token?: string;
  /** Connect with TLS: `true`, or the options of `tls.connect` (`ca`, `servername`, ...). */
  readonly tls?: boolean | ConnectionOptions;
  /** Fail a request with ETIMEDOUT after this many milliseconds (default 0: never). */
  readonly requestTimeout?: number;
  /** Milliseconds to connect and authenticate (default 10 000). */
  readonly connectTimeout?: number;
}

/**
 * A request without its id (distributive, so each variant keeps its own fields); #submit gives it
 * one in place rather than copying the object.
 */
export type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> & { id?: number } : never) : never;

interface Pending {
  /** A response frame for this request; returns true when it was the last one. */
  onFrame(response: Response): boolean;
  fail(error: MfioError): void;
  /** When a request timeout is set, the time it fails with ETIMEDOUT; set by #submit. */
  deadline: number;
  /** Its frame type and when it was submitted (performance.now()), for describeInFlight; set by #submit. */
  type?: number;
  since?: number;
}

/** Frame type numbers to names, for describeInFlight: `0x12` is `'read'`. */
const TYPE_NAMES = new Map<number, string>(
  Object.entries(T).map(([name, type]) => [type, name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())]),
);

/** The largest id before wrapping; ids are u32 and 0 is reserved. */
const MAX_ID = 0xffffffff;

/**
 * One authenticated connection to a netfs server: many requests in flight, matched to their
 * responses by id in whatever order they come. When the connection ends, every request in
 * flight fails at once with ECONNRESET (the cause says why) and so does every later one.
 */
export class ClientConnection {
  readonly limits: Limits;
  readonly features: number;
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #pending = new Map<number, Pending>();
  /** Ids that timed out: their late frames are dropped until the last one arrives. */
  readonly #abandoned = new Set<number>();
  /**
   * Requests over the server's maxInFlight wait here, in order, as their encoded frames: the
   * server would stop reading its socket for them, and a CANCEL behind them would wait too.
   */
  readonly #unsent = new Map<number, Buffer | readonly [Buffer, Uint8Array]>();
  /** Requests sent and not finally answered (abandoned ones included): at most maxInFlight. */
  #onWire = 0;
  readonly #where: string;
  readonly #timeout: number;
  #sweeper: NodeJS.Timeout | null = null;
  readonly #cork: TurnCork;
  #nextId = 1;
  #dead: MfioError | null = null;
  #ending: Promise<void> | null = null;

  private constructor(socket: Socket, input: SocketInput, limits: Limits, features: number, where: string, timeout: number) {
    this.#socket = socket;
    this.#cork = new TurnCork(socket);
    this.#reader = input.reader;
    this.limits = limits;
    this.features = features;
    this.#where = where;
    this.#timeout = timeout;
    input.onBytes = () => this.#drain();
    socket.on('close', () => this.#die(null));
    socket.on('error', (error) => this.#die(error));
    if (timeout > 0) {
      this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, Math.min(1000, timeout / 4)));
      this.#sweeper.unref();
    }
    // An idle connection does not keep the process alive; requests in flight do.
    socket.unref();
    this.#drain(); // frames that came with the handshake's last chunk, or since
  }

  /**
   * Connect, run the handshake, verify the server's proof.
   * @throws {MfioError} ECONNREFUSED and other socket errors; EACCES when the token is wrong;
   * EPROTO when the peer is not a netfs server of this version; ETIMEDOUT.
   */
  static async open(options: NetFsConnectOptions): Promise<ClientConnection> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 4446;
    const token = options.token ?? '';
    const where = `${host}:${port}`;
    const timeout = options.requestTimeout ?? 0;
    if (!Number.isFinite(timeout) || timeout < 0) throw new MfioError('ERR_OUT_OF_RANGE', `requestTimeout must be >= 0, got ${timeout}`);
    // Frames may be as large as the server says; until CHALLENGE arrives, a handshake frame is small.
    const reader = new FrameReader(MIN_FRAME);
    const input = new SocketInput(reader);
    let socket: Socket;
    const usingTls = options.tls !== undefined && options.tls !== false;
    if (!usingTls) {
      socket = input.connect(host, port);
    } else {
      socket = tlsConnect({ host, port, ...(options.tls === true ? {} : options.tls) });
      input.listen(socket);
    }
    socket.setNoDelay(true);
    const clientNonce = randomBytes(NONCE_BYTES);
    try {
      const result = await new Promise<{ limits: Limits; features: number }>((resolve, reject) => {
        let challenge: { limits: Limits; features: number; nonce: Uint8Array } | null = null;
        const fail = (error: unknown): void => {
          cleanup();
          reject(error instanceof MfioError ? error : usingTls && answeredInPlain(error) ? notTls(error, where) : fromSocketError(error, where));
        };
        const onBytes = (): void => {
          try {
            for (let frame = reader.next(); frame !== null; frame = reader.next()) {
              const m = decodeResponse(frame);
              if (m.type === T.FATAL) throw refusedBy(m.code, m.message, where);
              if (challenge === null) {
                challenge = checkChallenge(m);
                reader.maxFrame = challenge.limits.maxFrame;
                socket.write(encodeMessage({ type: T.AUTH, id: 0, proof: clientProof(token, challenge.nonce, clientNonce) }));
                continue;
              }
              if (m.type !== T.WELCOME) throw protocolError('expected WELCOME');
              if (!sameProof(m.proof, serverProof(token, clientNonce, challenge.nonce))) {
                throw new MfioError('EACCES', `netfs: the server at ${where} does not know the token`, { syscall: 'connect' });
              }
              cleanup();
              resolve({ limits: challenge.limits, features: challenge.features });
              return;
            }
          } catch (error) {
            socket.destroy();
            fail(error);
          }
        };
        const onClose = (): void => fail(MfioError.fromCode('ECONNRESET', { syscall: 'connect' }));
        const timer = setTimeout(() => {
          socket.destroy();
          fail(MfioError.fromCode('ETIMEDOUT', { syscall: 'connect' }));
        }, options.connectTimeout ?? 10_000);
        const cleanup = (): void => {
          clearTimeout(timer);
          // Bytes that come before the connection takes over wait in the reader.
          input.onBytes = () => {};
          socket.off('error', fail);
          socket.off('close', onClose);
        };
        input.onBytes = onBytes;
        socket.on('error', fail);
        socket.on('close', onClose);
        socket.write(encodeMessage({ type: T.HELLO, id: 0, version: VERSION, features: Feature.READ_DATA_LAST, nonce: clientNonce }));
      });
      return new ClientConnection(socket, input, result.limits, result.features, where, timeout);
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** True until the connection ended. */
  get alive(): boolean {
    return this.#dead === null;
  }

  /** Bytes of data one WRITE frame carries at most. */
  get maxWrite(): number {
    return this.limits.maxFrame - WRITE_OVERHEAD;
  }

  /** Requests waiting for their answer. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Send a request answered by one frame; resolves with it, rejects with the ERROR's code (and
   * `context`: syscall, path) or with ECONNRESET if the connection ends first.
   */
  call(body: RequestBody, context: Omit<ErrorContext, 'errno'>): Promise<Response> {
    return new Promise((resolve, reject) => {
      this.#submit(body, {
        onFrame: (response) => {
          if (response.type === T.ERROR) reject(MfioError.fromCode(response.code, context));
          else resolve(response);
          return true;
        },
        fail: reject,
        deadline: 0,
      });
    });
  }

  /**
   * Read into `view` (at most `maxRead` bytes); `done` runs once the view is complete. When the
   * packet is cancelled (an abort), a read not sent yet is never sent, and the server stops one
   * it has (if it takes CANCEL); the view's unread part fails with ECANCELED.
   */
  read(handle: number, position: number, view: PacketView, context: Omit<ErrorContext, 'errno'>, done: () => void): void {
    const assembly = new ReadAssembly(view);
    const id = this.#submit(
      { type: T.READ, handle, position, length: view.length },
      {
        onFrame: (response) => {
          if (response.type === T.READ_DATA) {
            if (!assembly.fill(response.offset, response.data)) throw protocolError(`READ_DATA outside its request or overlapping`);
            return false;
          }
          if (response.type === T.READ_DATA_LAST) {
            // The last fragment: the read is over (whatever stays unfilled was past end of file).
            if (!assembly.fill(response.offset, response.data)) throw protocolError(`READ_DATA_LAST outside its request or overlapping`);
            assembly.finish();
          } else if (response.type === T.READ_DONE) {
            if (response.transferred !== assembly.received) throw protocolError('READ_DONE does not match the fragments');
            assembly.finish();
          } else if (response.type === T.ERROR) {
            assembly.fail(MfioError.fromCode(response.code, context));
          } else {
            throw protocolError(`unexpected response 0x${response.type.toString(16)} to READ`);
          }
          done();
          return true;
        },
        fail: (error) => {
          assembly.fail(error);
          done();
        },
        deadline: 0,
      },
    );
    if (id === 0) return;
    const request = this.#pending.get(id);
    view.packet.onCancel(() => {
      if (this.#pending.get(id) === request) this.#cancel(id);
    });
  }

  /**
   * Stop request `id` early. One still waiting here is answered ECANCELED at once and never
   * sent; the server stops one it has (a READ) and answers it ERROR ECANCELED.
   */
  #cancel(id: number): void {
    if (this.#unsent.delete(id)) {
      const pending = this.#pending.get(id)!;
      this.#settled(id);
      pending.onFrame({ type: T.ERROR, id, code: 'ECANCELED' });
      return;
    }
    if (this.#dead !== null || this.#socket.writableEnded || (this.features & Feature.CANCEL) === 0) return;
    this.#cork.hold();
    this.#socket.write(encodeMessage({ type: T.CANCEL, id }));
  }

  /** Write `view` (at most `maxWrite` bytes); the data goes to the socket without a copy. */
  write(handle: number, position: number, view: PacketView, context: Omit<ErrorContext, 'errno'>, done: () => void): void {
    const finish = (apply: () => void): void => {
      apply();
      done();
    };
    this.#submit(
      { type: T.WRITE, handle, position, data: view.bytes() },
      {
        onFrame: (response) => {
          if (response.type === T.WRITTEN) {
            if (response.count < 1 || response.count > view.length) throw protocolError('WRITTEN count out of range');
            finish(() => view.complete(response.count));
          } else if (response.type === T.ERROR) {
            finish(() => view.fail(MfioError.fromCode(response.code, context)));
          } else {
            throw protocolError(`unexpected response 0x${response.type.toString(16)} to WRITE`);
          }
          return true;
        },
        fail: (error) => finish(() => view.fail(error)),
        deadline: 0,
      },
    );
  }

  /** End the connection (after flushing what was sent); requests in flight fail with ECONNRESET. */
  close(): Promise<void> {
    this.#ending ??= new Promise<void>((resolve) => {
      if (this.#socket.destroyed) return resolve();
      this.#socket.once('close', () => resolve());
      // An idle socket is unref'd; a close in progress must keep the process up until it settles.
      this.#socket.ref();
      this.#socket.end();
      // A server that never closes its side must not hold our close.
      setTimeout(() => this.#socket.destroy(), 1000).unref();
    });
    return this.#ending;
  }

  /**
   * Every request not finally answered, oldest first: `queued` while it waits for the server's
   * maxInFlight, `submitted` once sent, `cancelling` after a timeout gave up on it (its late
   * frames are still awaited). For a hang detector or a stuck close; not for a hot path.
   */
  describeInFlight(): InFlightRequest[] {
    const now = performance.now();
    const requests: InFlightRequest[] = [];
    for (const [id, request] of this.#pending) {
      const state = this.#unsent.has(id) ? 'queued' : 'submitted';
      requests.push({ op: TYPE_NAMES.get(request.type ?? -1) ?? 'request', state, ageMs: Math.round(now - (request.since ?? now)), id });
    }
    for (const id of this.#abandoned) requests.push({ op: 'request', state: 'cancelling', ageMs: 0, id });
    return requests.sort((a, b) => b.ageMs - a.ageMs);
  }

  /** Send a request; returns its id, or 0 when the connection is dead (`request` failed). */
  #submit(body: RequestBody, request: Pending): number {
    if (this.#dead !== null) {
      request.fail(this.#dead);
      return 0;
    }
    const id = this.#allocateId();
    body.id = id;
    const frame =
      body.type === T.WRITE
        ? null // sent below in two parts, so the caller's bytes are not copied
        : encodeMessage(body as Request);
    if (this.#pending.size === 0) this.#socket.ref();
    // The caller's object itself (a copy per request showed in the profile).
    request.deadline = this.#timeout > 0 ? Date.now() + this.#timeout : Infinity;
    request.type = body.type;
    request.since = performance.now();
    this.#pending.set(id, request);
    let frames: Buffer | readonly [Buffer, Uint8Array];
    if (frame !== null) {
      frames = frame;
    } else {
      const { handle, position, data } = body as Extract<Request, { type: typeof T.WRITE }>;
      const head = Buffer.allocUnsafe(WRITE_OVERHEAD);
      head.writeUInt32LE(WRITE_OVERHEAD - 4 + data.length, 0);
      head.writeUInt8(T.WRITE, 4);
      head.writeUInt32LE(id, 5);
      head.writeUInt32LE(handle, 9);
      head.writeBigUInt64LE(BigInt(position), 13);
      frames = [head, data];
    }
    if (this.#onWire < this.limits.maxInFlight && this.#unsent.size === 0) this.#send(frames);
    else this.#unsent.set(id, frames);
    return id;
  }

  #send(frames: Buffer | readonly [Buffer, Uint8Array]): void {
    this.#onWire++;
    this.#cork.hold();
    if (Buffer.isBuffer(frames)) {
      this.#socket.write(frames);
    } else {
      this.#socket.write(frames[0]);
      this.#socket.write(frames[1]); // the caller's bytes, not copied
    }
  }

  /** A request on the wire got its last answer: send waiting ones while there is room. */
  #answered(): void {
    this.#onWire--;
    // Nothing waiting (the usual case: no iterator per answer); or closing, when the waiting
    // ones fail with the connection.
    if (this.#unsent.size === 0 || this.#socket.writableEnded) return;
    for (const [id, frames] of this.#unsent) {
      if (this.#onWire >= this.limits.maxInFlight) break;
      this.#unsent.delete(id);
      this.#send(frames);
    }
  }

  #allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= MAX_ID ? 1 : id + 1;
      if (!this.#pending.has(id) && !this.#abandoned.has(id)) return id;
    }
  }

  #drain(): void {
    try {
      for (let frame = this.#reader.next(); frame !== null && this.#dead === null; frame = this.#reader.next()) {
        const response = decodeResponse(frame);
        if (response.type === T.FATAL) {
          throw new MfioError('ECONNRESET', `netfs: the server at ${this.#where} closed the connection: ${response.code} ${response.message}`, {
            syscall: 'read',
          });
        }
        const pending = this.#pending.get(response.id);
        if (pending === undefined || (this.#unsent.size > 0 && this.#unsent.has(response.id))) {
          if (!this.#abandoned.has(response.id)) throw protocolError(`response for unknown request id ${response.id}`);
          if (response.type !== T.READ_DATA) {
            this.#abandoned.delete(response.id);
            this.#answered();
          }
          continue;
        }
        if (pending.onFrame(response)) {
          this.#settled(response.id);
          this.#answered();
        }
      }
    } catch (error) {
      this.#die(error);
      this.#socket.destroy();
    }
  }

  #settled(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0 && !this.#socket.destroyed) this.#socket.unref();
  }

  /**
   * Fail requests past their deadline. Those sent keep their ids reserved until their answer
   * arrives (and a READ is cancelled); those still waiting here are never sent.
   */
  #sweep(): void {
    const now = Date.now();
    for (const [id, pending] of this.#pending) {
      if (pending.deadline > now) continue;
      this.#settled(id);
      if (!this.#unsent.delete(id)) {
        this.#abandoned.add(id);
        this.#cancel(id); // its late answer is dropped; a READ need not finish sending it
      }
      pending.fail(MfioError.fromCode('ETIMEDOUT', { syscall: 'netfs' }));
    }
  }

  /** The connection ended: fail everything in flight and everything after, once. */
  #die(cause: unknown): void {
    if (this.#dead !== null) return;
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    this.#dead = new MfioError('ECONNRESET', `netfs: the connection to ${this.#where} is closed${reason}`, {
      syscall: 'netfs',
      ...(cause === null ? {} : { cause }),
    });
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#abandoned.clear();
    this.#unsent.clear();
    this.#onWire = 0;
    for (const request of pending) {
      try {
        request.fail(this.#dead);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

function checkChallenge(m: Response): { limits: Limits; features: number; nonce: Uint8Array } {
  if (m.type !== T.CHALLENGE) throw protocolError('expected CHALLENGE');
  if (m.version !== VERSION) throw protocolError(`the server speaks version ${m.version}, this client ${VERSION}`);
  if (m.maxFrame < MIN_FRAME || m.maxRead < 1 || m.maxInFlight < 1 || m.maxHandles < 1) throw protocolError('CHALLENGE limits out of range');
  const { maxFrame, maxRead, maxInFlight, maxHandles } = m;
  return { limits: { maxFrame, maxRead, maxInFlight, maxHandles }, features: m.features, nonce: Buffer.from(m.nonce) };
}

function refusedBy(code: WireErrorCode, message: string, where: string): MfioError {
  return new MfioError(code, `netfs: the server at ${where} refused the connection: ${code} ${message}`, { syscall: 'connect' });
}

/**
 * OpenSSL's verdict on a server that answered a ClientHello with bytes that are not TLS: a
 * plain netfs server's FATAL frame. `code` is EPROTO (a write's) or OpenSSL's own.
 */
function answeredInPlain(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') && typeof message === 'string' && message.includes('wrong version number');
}

/** What a TLS client on a plain server is told, instead of OpenSSL's raw error string. */
function notTls(error: unknown, where: string): MfioError {
  return new MfioError('EPROTO', `netfs: the server at ${where} does not speak TLS (it answered in plain text): connect without the tls option`, {
    syscall: 'connect',
    cause: error,
  });
}

function fromSocketError(error: unknown, where: string): MfioError {
  const code = (error as { code?: unknown }).code;
  // Node's own codes, passed through: an errno name (ECONNREFUSED), a resolver or TLS code
  // (ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT: ConnectErrorCode). One Node adds later passes too.
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) {
    return new MfioError(code as MfioErrorCode, `netfs: cannot connect to ${where}: ${(error as Error).message}`, { syscall: 'connect', cause: error });
  }
  return MfioError.from(error, { syscall: 'connect' });
}
