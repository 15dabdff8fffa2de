import { connect as netConnect, type Socket } from 'node:net';
import type { FrameReader } from '../protocol/frame-reader.js';

/**
 * Bytes a plain TCP connection reads at once, into one staging buffer it keeps. Node's own
 * reads take 64 KiB into a fresh buffer each: for 64 KiB reads, 64 in flight, nearly every
 * READ_DATA straddled two chunks (so the reader copied it whole to join them) and every chunk
 * was new memory for the collector. A frame now straddles a read once in several.
 */
const STAGING_BYTES = 512 * 1024;

/**
 * Where a client connection's bytes go: into `reader`, then `onBytes` is told (the handshake's
 * handler first, then the connection's; between the two, bytes wait in the reader). A plain TCP
 * socket reads into a reused staging buffer (Node's `onread`), so a frame's payload is valid
 * only until `onBytes` returns: the reader then copies out what it still holds. Decoded
 * responses own their bytes except READ_DATA's (and READ_DATA_LAST's) data, copied into the
 * caller's buffer at once, and the handshake's CHALLENGE nonce and WELCOME proof, which the
 * handshake copies or uses before it returns. A TLS socket's chunks are its own ('data' events).
 */
export class SocketInput {
  readonly reader: FrameReader;
  onBytes: () => void = () => {};

  constructor(reader: FrameReader) {
    this.reader = reader;
  }

  /** Connect over plain TCP, reading through this input's staging buffer. */
  connect(host: string, port: number): Socket {
    const staging = Buffer.allocUnsafe(STAGING_BYTES);
    return netConnect({
      host,
      port,
      onread: {
        buffer: staging,
        callback: (n: number, buffer: Uint8Array): boolean => {
          this.#receive(Buffer.from(buffer.buffer, buffer.byteOffset, n), false);
          return true; // keep reading
        },
      },
    });
  }

  /** Take the chunks of a socket that emits them ('data': TLS). */
  listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.#receive(chunk, true));
  }

  #receive(chunk: Buffer, owned: boolean): void {
    this.reader.push(chunk);
    try {
      this.onBytes();
    } finally {
      if (!owned) this.reader.detach();
    }
  }
}
