import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { MfioError } from '@mfio/core';
import { SocketFileSplice, type DirHandle, type FileHandle } from '@mfio/rt';
import { FrameType as T, Feature, NONCE_BYTES, VERSION, type Limits } from '../protocol/constants.js';
import { decodeRequest } from '../protocol/decode.js';
import { encodeMessage } from '../protocol/encode.js';
import { wireCodeOf, type WireErrorCode } from '../protocol/error-codes.js';
import { FrameReader, type RawFrame } from '../protocol/frame-reader.js';
import { clientProof, sameProof, serverProof } from '../protocol/handshake.js';
import type { Request } from '../protocol/messages.js';
import { protocolError } from '../protocol/protocol-error.js';
import { TurnCork } from '../protocol/turn-cork.js';
import { HandleTable, type HandleBudget } from './handle-table.js';
import { runRequest, type Cancellation, type Session } from './handlers.js';
import type { Logger } from './logger.js';
import type { PathLock } from './path-lock.js';
import type { PathResolver } from './root-paths.js';
import type { SendBuffers } from './send-buffers.js';

/** What every connection of one server shares. */
export interface ConnectionConfig {
  readonly dir: DirHandle;
  readonly beneath: DirHandle | null;
  readonly resolver: PathResolver;
  readonly token: string;
  readonly readOnly: boolean;
  readonly allowSpecialModeBits: boolean;
  readonly tls: boolean;
  readonly limits: Limits;
  readonly handshakeTimeout: number;
  readonly idleTimeout: number;
  readonly log: Logger;
  /** Shared by the server's connections: renames and links run alone (see PathLock). */
  readonly paths: PathLock;
  /** Shared by the server's connections: handles open across all of them. */
  readonly budget: HandleBudget;
  /** Shared by the server's connections: READ_DATA buffers, recycled once written. */
  readonly sendBuffers: SendBuffers;
  /**
   * Asked when a client has proved the token: true gives it one of the server's
   * `maxConnections` slots; false (all taken) closes it with FATAL EMFILE. Asked then, not only
   * when the socket is accepted, because many connections may be shaking hands at once.
   */
  readonly admit: (connection: ServerConnection) => boolean;
  /**
   * Told once when a connection leaves its handshake, whichever way (authenticated, refused,
   * failed, evicted, gone): from then on it holds no handshake slot.
   */
  readonly onHandshakeEnd: (connection: ServerConnection) => void;
}

/** The largest frame accepted before authentication (HELLO is 51 bytes, AUTH 41). */
const HANDSHAKE_MAX_FRAME = 256;

/** Responses waiting in the socket beyond which no new request is started (back-pressure). */
const MAX_QUEUED_OUTPUT = 8 * 1024 * 1024;

/** `draining`: shutting down, no new requests, answers of those in flight still sent. */
type State = 'hello' | 'auth' | 'ready' | 'draining' | 'closing' | 'closed';

/**
 * One client connection: handshake, then requests run concurrently up to `maxInFlight`. Over
 * that (or with too much output unsent) the socket is paused, so a client that floods requests
 * is slowed by TCP instead of growing the server's memory. A bad frame ends only this
 * connection, with a FATAL frame and one log line; its handles are released when it ends.
 */
export class ServerConnection {
  readonly name: string;
  readonly #socket: Socket;
  readonly #cork: TurnCork;
  /** Null on TLS, off Linux, off Node, without the addon: frames of file data are then copied. */
  readonly #splice: SocketFileSplice | null;
  readonly #config: ConnectionConfig;
  readonly #reader: FrameReader;
  readonly #handles: HandleTable;
  readonly #ids = new Set<number>();
  /** The READs in flight, which a CANCEL may stop early. */
  readonly #cancellable = new Map<number, Cancellation>();
  readonly #session: Session;
  #state: State = 'hello';
  #clientNonce: Uint8Array = Buffer.alloc(0);
  readonly #serverNonce = randomBytes(NONCE_BYTES);
  #inFlight = 0;
  #wasReady = false;
  #timer: NodeJS.Timeout | null = null;
  #idleWaiters: Array<() => void> = [];
  #drainWaiters: Array<() => void> = [];
  /** Last time the client sent bytes or took our output: what the idle timeout measures. */
  #lastActivity = Date.now();
  readonly #closed: Promise<void>;
  readonly #onGone: (connection: ServerConnection) => void;

  constructor(socket: Socket, config: ConnectionConfig, name: string, onGone: (connection: ServerConnection) => void) {
    this.name = name;
    this.#socket = socket;
    this.#cork = new TurnCork(socket);
    this.#splice = SocketFileSplice.for(socket);
    this.#config = config;
    this.#onGone = onGone;
    // Before authentication only HELLO and AUTH (under 64 bytes) are valid: a stranger must not
    // make the server buffer a full-size frame; the limit rises to maxFrame once authenticated.
    this.#reader = new FrameReader(HANDSHAKE_MAX_FRAME);
    this.#handles = new HandleTable(config.limits.maxHandles, config.budget);
    this.#session = {
      dir: config.dir,
      beneath: config.beneath,
      resolver: config.resolver,
      paths: config.paths,
      handles: this.#handles,
      readOnly: config.readOnly,
      allowSpecialModeBits: config.allowSpecialModeBits,
      maxFrame: config.limits.maxFrame,
      send: (frame, written) => this.#send(frame, written),
      sendBuffers: config.sendBuffers,
      readDataLast: false,
      writable: () => this.#writable(),
      gone: () => this.#state === 'closing' || this.#state === 'closed',
      sendFromFile: (file, position, length, header) => this.#sendFromFile(file, position, length, header),
    };
    socket.setNoDelay(true);
    this.#armHandshake(config.handshakeTimeout);
    socket.on('data', (chunk: Buffer) => {
      if (this.#state === 'closing' || this.#state === 'closed') return; // after FATAL: read and dropped
      this.#lastActivity = Date.now();
      this.#reader.push(chunk);
      this.#pump();
    });
    socket.on('drain', () => {
      this.#lastActivity = Date.now();
      this.#wakeWriters();
      this.#pump();
    });
    socket.on('error', (error) => config.log.debug(`${name} socket error: ${error.message}`));
    this.#closed = new Promise((resolve) => {
      socket.on('close', () => {
        void this.#finish().then(resolve);
      });
    });
  }

  /** True once the client proved it knows the token. */
  get authenticated(): boolean {
    return this.#wasReady;
  }

  /** True while the client has not finished the handshake (and nothing closed it yet). */
  get handshaking(): boolean {
    return this.#state === 'hello' || this.#state === 'auth';
  }

  /**
   * Close a connection still in its handshake, whose slot a newer one needs: FATAL EBUSY, and
   * its descriptor is freed at once (as for every FATAL before authentication).
   */
  evict(): void {
    if (this.handshaking) this.#fatal('EBUSY', 'handshake slots full; this unauthenticated connection was the oldest', 'info');
  }

  /** Requests being worked on. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once the socket closed and every handle of the connection was released. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Stop reading new requests, let those in flight finish (at most `graceMs`), then say FATAL
   * ECANCELED and close. Resolves when the connection is fully released.
   */
  async shutdown(graceMs: number): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return this.#closed;
    this.#moveTo('draining');
    this.#socket.pause();
    if (this.#inFlight > 0) {
      let timer!: NodeJS.Timeout;
      await Promise.race([
        new Promise<void>((resolve) => this.#idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.#fatal('ECANCELED', 'server shutting down', 'info');
    return this.#closed;
  }

  /** Every change of state goes through here: leaving the handshake, whichever way, frees its slot. */
  #moveTo(next: State): void {
    const wasHandshaking = this.handshaking;
    this.#state = next;
    if (wasHandshaking && !this.handshaking) this.#config.onHandshakeEnd(this);
  }

  #writable(): Promise<void> {
    if (this.#socket.writableLength < MAX_QUEUED_OUTPUT || this.#state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #send(frame: Buffer, written?: () => void): void {
    // Nothing after FATAL: a request finishing late must not write to an ended socket.
    if (this.#socket.destroyed || this.#state === 'closing' || this.#state === 'closed') return;
    this.#cork.hold();
    this.#socket.write(frame, written);
  }

  #sendFromFile(file: FileHandle, position: number, length: number, header: (n: number) => Buffer): number | null {
    const splice = this.#splice;
    // Straight to the descriptor only with nothing queued before it in the socket (corked
    // frames of this turn included), and as #send, nothing once the connection is going.
    if (splice === null || !splice.ready || this.#state === 'closing' || this.#state === 'closed') return null;
    const n = splice.stage(file, position, length);
    if (n === null || n === 0) return n;
    let frame: Buffer;
    try {
      frame = header(n);
    } catch (error) {
      splice.drop();
      throw error;
    }
    splice.send(frame);
    // The socket took our output, as 'drain' says of copied frames (none comes for bytes that
    // never waited in Node's queue): what the idle timeout counts as a sign of life.
    this.#lastActivity = Date.now();
    return n;
  }

  /** The handshake deadline: authenticate within it or be closed. */
  #armHandshake(ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.#timer = setTimeout(() => this.#fatal('ETIMEDOUT', 'handshake timeout', 'info'), ms);
    this.#timer.unref();
  }

  /** The idle deadline, measured from the client's last sign of life (bytes in, output taken). */
  #armIdle(delay = this.#config.idleTimeout): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const ms = this.#config.idleTimeout;
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#state !== 'ready') return;
      const quiet = Date.now() - this.#lastActivity;
      if (quiet < ms) return this.#armIdle(ms - quiet);
      // Busy on the backend with nothing stuck in the socket is not idle.
      if (this.#inFlight > 0 && this.#socket.writableLength === 0) return this.#armIdle();
      this.#fatal('ETIMEDOUT', 'idle timeout', 'info');
      // A client that does not take its answers will not read the FATAL either.
      if (this.#socket.writableLength > 0) this.#socket.destroy();
    }, delay);
    this.#timer.unref();
  }

  #canStart(): boolean {
    return this.#inFlight < this.#config.limits.maxInFlight && this.#socket.writableLength < MAX_QUEUED_OUTPUT;
  }

  /** Take frames while allowed; pause the socket while over a limit, resume when under again. */
  #pump(): void {
    try {
      while (this.#state === 'hello' || this.#state === 'auth' || this.#state === 'ready') {
        if (this.#state === 'ready' && !this.#canStart()) {
          // CANCEL takes no slot: one at the head is taken even at the limit (the client sends
          // no more than maxInFlight requests, so a CANCEL is not stuck behind unread ones).
          const frame = this.#reader.peekType() === T.CANCEL ? this.#reader.next() : null;
          if (frame !== null) {
            this.#onFrame(frame);
            continue;
          }
          this.#socket.pause();
          return;
        }
        const frame = this.#reader.next();
        if (frame === null) break;
        this.#onFrame(frame);
      }
      if (this.#state === 'hello' || this.#state === 'auth' || this.#state === 'ready') this.#socket.resume();
    } catch (error) {
      const e = MfioError.from(error);
      this.#fatal(e.code === 'EMSGSIZE' ? 'EMSGSIZE' : 'EPROTO', e.message, 'warn');
    }
  }

  #onFrame(frame: RawFrame): void {
    const request = decodeRequest(frame, this.#config.limits);
    if (this.#state === 'hello') return this.#hello(request);
    if (this.#state === 'auth') return this.#auth(request);
    if (request.type === T.HELLO || request.type === T.AUTH) throw protocolError('handshake frame after the handshake');
    // Not a request: no answer, no slot; an id no longer in flight was answered already.
    if (request.type === T.CANCEL) {
      const target = this.#cancellable.get(request.id);
      if (target !== undefined) target.cancelled = true;
      return;
    }
    if (this.#ids.has(request.id)) throw protocolError(`request id ${request.id} is already in flight`);
    this.#start(request);
  }

  #hello(request: Request): void {
    if (request.type !== T.HELLO) throw protocolError('expected HELLO');
    if (request.version !== VERSION) {
      this.#fatal('EPROTO', `unsupported protocol version ${request.version} (this server speaks ${VERSION})`, 'warn');
      return;
    }
    this.#clientNonce = Buffer.from(request.nonce);
    // Only a client that asked for READ_DATA_LAST gets it: older ones wait for READ_DONE.
    this.#session.readDataLast = (request.features & Feature.READ_DATA_LAST) !== 0;
    const { limits } = this.#config;
    const features = Feature.CANCEL | Feature.READ_DATA_LAST | (this.#config.readOnly ? Feature.READ_ONLY : 0) | (this.#config.tls ? Feature.TLS : 0);
    this.#send(encodeMessage({ type: T.CHALLENGE, id: 0, version: VERSION, features, nonce: this.#serverNonce, ...limits }));
    this.#moveTo('auth');
  }

  /**
   * What a client whose proof is wrong is told. Which side has no token is no secret (a server
   * without one lets anyone in; a client without one proved nothing), and it is the usual
   * mistake: say it. A wrong token is just "wrong token".
   */
  #whyRefused(proof: Uint8Array): string {
    if (this.#config.token === '') return 'authentication failed: this server has no token; connect without one';
    if (sameProof(proof, clientProof('', this.#serverNonce, this.#clientNonce))) {
      return 'authentication failed: this server needs a token and the client sent none';
    }
    return 'authentication failed: wrong token';
  }

  #auth(request: Request): void {
    if (request.type !== T.AUTH) throw protocolError('expected AUTH');
    const expected = clientProof(this.#config.token, this.#serverNonce, this.#clientNonce);
    if (!sameProof(request.proof, expected)) {
      this.#fatal('EACCES', this.#whyRefused(request.proof), 'warn');
      return;
    }
    if (!this.#config.admit(this)) {
      this.#fatal('EMFILE', 'too many connections', 'warn');
      return;
    }
    this.#send(encodeMessage({ type: T.WELCOME, id: 0, proof: serverProof(this.#config.token, this.#clientNonce, this.#serverNonce) }));
    this.#wasReady = true;
    this.#moveTo('ready');
    this.#reader.maxFrame = this.#config.limits.maxFrame;
    this.#config.log.info(`${this.name} authenticated`);
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#lastActivity = Date.now();
    this.#armIdle();
  }

  #start(request: Request): void {
    this.#inFlight++;
    this.#ids.add(request.id);
    let cancel: Cancellation | undefined;
    if (request.type === T.READ) this.#cancellable.set(request.id, (cancel = { cancelled: false }));
    runRequest(this.#session, request, cancel)
      .catch((error: unknown) => {
        if (!(error instanceof MfioError)) this.#config.log.error(`${this.name} request ${request.id} failed unexpectedly: ${String(error)}`);
        const code: WireErrorCode = error instanceof MfioError ? wireCodeOf(error.code) : 'EIO';
        this.#send(encodeMessage({ type: T.ERROR, id: request.id, code }));
      })
      .finally(() => {
        this.#inFlight--;
        this.#ids.delete(request.id);
        if (cancel !== undefined) this.#cancellable.delete(request.id);
        if (this.#inFlight === 0 && this.#idleWaiters.length > 0) {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const wake of waiters) wake();
        }
        if (this.#state === 'ready') this.#pump();
      });
  }

  /** Say why in a FATAL frame, log it once, close. What the client sends after is dropped. */
  #fatal(code: WireErrorCode, message: string, level: 'info' | 'warn'): void {
    if (this.#state === 'closed') return;
    const wasClosing = this.#state === 'closing' && code !== 'ECANCELED';
    this.#moveTo('closing');
    // Read on and drop what comes: a paused socket with unread bytes (a CANCEL sent just before)
    // never sees the peer's FIN, so it would never close.
    this.#socket.resume();
    if (!wasClosing) this.#config.log[level](`${this.name} closed: ${code} ${message}`);
    if (!this.#socket.destroyed && !this.#socket.writableEnded) this.#socket.end(encodeMessage({ type: T.FATAL, id: 0, code, message }));
    if (!this.#wasReady) {
      // No grace before authentication: waiting for the peer to close its side would let
      // strangers that never do (evicted, timed out, or sending garbage) hold a descriptor each
      // for 2 s, enough at a few hundred a second to use up the server's. The frame went to the
      // kernel in end(), and close(2) still sends it before the FIN (a peer whose bytes were not
      // read yet gets a reset instead, and may miss it).
      this.#socket.destroy();
      return;
    }
    // A peer that never reads, or never closes, would keep a half-closed socket forever. Not
    // unref'd: `closed` (and so the server's close) waits for this socket, and with nothing else
    // alive an unref'd timer would let the process exit with that wait unsettled.
    const timer = setTimeout(() => this.#socket.destroy(), 2000);
    this.#socket.once('close', () => clearTimeout(timer));
  }

  #wakeWriters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  async #finish(): Promise<void> {
    const wasReady = this.#state === 'ready';
    this.#moveTo('closed');
    this.#wakeWriters(); // reads waiting for room end: their frames are dropped now
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (wasReady) this.#config.log.info(`${this.name} disconnected`);
    // An open still in flight would add a handle after the release: wait for the requests first.
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.#handles.releaseAll();
    this.#onGone(this);
  }
}
