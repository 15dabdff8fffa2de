import type { Socket } from 'node:net';

/** Content type 22 (handshake): the first byte of every TLS ClientHello record. */
const TLS_HANDSHAKE_RECORD = 0x16;

/** Where {@link routeByFirstByte} sends a connection. */
export interface FirstByteRoutes {
  /** A TLS client: hand the socket to the TLS server (its first bytes are back in the socket). */
  tls(socket: Socket): void;
  /** Anything else (a plain netfs client, an HTTP request): refuse it in plain text. */
  plain(socket: Socket): void;
  /** Milliseconds to wait for the first bytes before closing the socket (0: no limit). */
  readonly timeoutMs: number;
}

/**
 * Route a new connection to a TLS server by its first byte. A TLS server that is handed plain
 * bytes can only close the connection (OpenSSL answers nothing): a plain netfs client then sees
 * a bare ECONNRESET and the server logs "wrong version number". Looking first lets the server
 * tell that client, in its own protocol, that TLS is expected. The byte read is put back
 * (`unshift`) before the TLS server takes the socket, which feeds bytes already buffered to
 * OpenSSL before reading on.
 * @returns a function that closes the socket if it is still waiting for its first bytes.
 */
export function routeByFirstByte(socket: Socket, routes: FirstByteRoutes): () => void {
  let timer: NodeJS.Timeout | null = null;
  let waiting = true;
  const stop = (): void => {
    waiting = false;
    if (timer !== null) clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
  };
  const onData = (chunk: Buffer): void => {
    stop();
    socket.pause();
    socket.unshift(chunk);
    if (chunk[0] === TLS_HANDSHAKE_RECORD) routes.tls(socket);
    else routes.plain(socket);
  };
  // A reset before the first bytes is the peer's business: nothing to log or answer.
  const onError = (): void => {
    stop();
    socket.destroy();
  };
  socket.on('data', onData);
  socket.on('error', onError);
  if (routes.timeoutMs > 0) timer = setTimeout(onError, routes.timeoutMs);
  return () => {
    if (waiting) onError();
  };
}
