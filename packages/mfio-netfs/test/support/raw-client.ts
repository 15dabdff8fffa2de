import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { FrameType as T, VERSION } from '../../src/protocol/constants.js';
import { decodeResponse } from '../../src/protocol/decode.js';
import { encodeMessage } from '../../src/protocol/encode.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { clientProof } from '../../src/protocol/handshake.js';
import type { Response } from '../../src/protocol/messages.js';

/**
 * A bare protocol client for tests that must send what the real client never would: raw
 * frames, wrong orders, abrupt exits. Responses are queued and taken with {@link next}.
 */
export class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  /** The feature bits of the server's CHALLENGE (after a handshake). */
  serverFeatures = 0;
  readonly #reader = new FrameReader(64 << 20);
  readonly #queue: Response[] = [];
  #wake: (() => void) | null = null;
  #ended = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      for (let f = this.#reader.next(); f !== null; f = this.#reader.next()) this.#queue.push(decodeResponse(f));
      this.#wake?.();
    });
    // The server's end: nothing more will come (a `keepOpen` client's socket stays open).
    socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.#ended = true;
        this.#wake?.();
        resolve();
      }),
    );
  }

  /**
   * Connect; with `token` (a string) also run the handshake. `keepOpen`: keep this end open
   * when the server closes its end (Node's sockets close theirs, a hostile peer need not), so
   * only the server can free its descriptor. `features`: HELLO's feature bits (default 0, a
   * client of before any optional frame).
   */
  static async connect(port: number, token?: string, options: { keepOpen?: boolean; features?: number } = {}): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: options.keepOpen ?? false });
    await once(socket, 'connect');
    const client = new RawClient(socket);
    if (token === undefined) return client;
    const nonce = randomBytes(32);
    client.send(encodeMessage({ type: T.HELLO, id: 0, version: VERSION, features: options.features ?? 0, nonce }));
    const challenge = await client.next();
    if (challenge?.type !== T.CHALLENGE) throw new Error(`expected CHALLENGE, got ${JSON.stringify(challenge)}`);
    client.serverFeatures = challenge.features;
    client.send(encodeMessage({ type: T.AUTH, id: 0, proof: clientProof(token, challenge.nonce, nonce) }));
    const welcome = await client.next();
    if (welcome?.type !== T.WELCOME) throw new Error(`expected WELCOME, got ${JSON.stringify(welcome)}`);
    return client;
  }

  send(frame: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(frame);
  }

  /** The next response, or null once the connection closed with nothing left. */
  async next(): Promise<Response | null> {
    while (this.#queue.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
    return this.#queue.shift()!;
  }

  /** Responses until the server ends the connection (bounded by the caller's jest timeout). */
  async rest(): Promise<Response[]> {
    const out: Response[] = [];
    for (let r = await this.next(); r !== null; r = await this.next()) out.push(r);
    return out;
  }
}
