import { HEADER_BYTES } from './constants.js';
import { protocolError } from './protocol-error.js';

/** A frame cut from the stream: its type, request id and undecoded payload. */
export interface RawFrame {
  readonly type: number;
  readonly id: number;
  readonly payload: Buffer;
}

/**
 * Cuts frames out of a byte stream that arrives in chunks split at any byte boundary. Frames are
 * taken one at a time with {@link next}, so a consumer that must stop (back-pressure) leaves the
 * rest as bytes: at most the chunks already pushed, never decoded messages piling up.
 *
 * The length field is checked as soon as its 4 bytes are in, before the frame is buffered.
 */
export class FrameReader {
  /** The largest frame accepted, all bytes counted (a client raises it after the handshake). */
  maxFrame: number;
  #chunks: Buffer[] = [];
  /** How many of the first chunks are the reader's own copies (see {@link detach}). */
  #owned = 0;
  #size = 0;

  /** `maxFrame`: the largest frame accepted, all bytes counted. */
  constructor(maxFrame: number) {
    this.maxFrame = maxFrame;
  }

  /** Bytes received and not yet handed out as frames. */
  get buffered(): number {
    return this.#size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /**
   * The next whole frame, or null until more bytes arrive.
   * @throws {MfioError} EMSGSIZE for a length over the maximum, EPROTO for one under the header.
   */
  next(): RawFrame | null {
    if (this.#size < 4) return null;
    const length = this.#peekLength();
    if (length < HEADER_BYTES - 4) throw protocolError(`frame length ${length} is shorter than a header`);
    if (length + 4 > this.maxFrame) throw protocolError(`frame of ${length + 4} bytes exceeds the maximum ${this.maxFrame}`, 'EMSGSIZE');
    if (this.#size < length + 4) return null;
    const frame = this.#take(length + 4);
    return { type: frame.readUInt8(4), id: frame.readUInt32LE(5), payload: frame.subarray(HEADER_BYTES) };
  }

  /** The type of the next frame, once its first 5 bytes are in; null before. */
  peekType(): number | null {
    if (this.#size < 5) return null;
    const first = this.#chunks[0]!;
    if (first.length >= 5) return first.readUInt8(4);
    let skip = 4;
    for (const chunk of this.#chunks) {
      if (chunk.length > skip) return chunk.readUInt8(skip);
      skip -= chunk.length;
    }
    return null;
  }

  #peekLength(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readUInt32LE(0);
    const head = Buffer.allocUnsafe(4);
    let filled = 0;
    for (const chunk of this.#chunks) {
      filled += chunk.copy(head, filled, 0, Math.min(chunk.length, 4 - filled));
      if (filled === 4) break;
    }
    return head.readUInt32LE(0);
  }

  /**
   * Copy the bytes still held into memory of the reader's own: the chunks pushed were borrowed
   * (a staging buffer the socket reads into again next). Frames already taken are the caller's
   * to have used by then.
   */
  detach(): void {
    const chunks = this.#chunks;
    if (this.#owned === chunks.length) return;
    // Only what came since the last detach: a frame arriving in many small reads is copied
    // once here (and once more when whole), not again after every read.
    let size = 0;
    for (let i = this.#owned; i < chunks.length; i++) size += chunks[i]!.length;
    const own = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = this.#owned; i < chunks.length; i++) at += chunks[i]!.copy(own, at);
    chunks.length = this.#owned;
    chunks.push(own);
    this.#owned = chunks.length;
  }

  #shift(): void {
    this.#chunks.shift();
    if (this.#owned > 0) this.#owned--;
  }

  /** Remove and return the next `n` bytes (a view of the first chunk when it holds them all). */
  #take(n: number): Buffer {
    this.#size -= n;
    const first = this.#chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.#shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.#shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
