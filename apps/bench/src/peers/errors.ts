/** Why a peer server or its client could not be had here: a missing package, a server that did not start. */
export class PeerUnavailableError extends Error {
  readonly code = 'ERR_PEER_UNAVAILABLE';

  constructor(peer: string, reason: string) {
    super(`${peer}: ${reason}`);
    this.name = 'PeerUnavailableError';
  }
}
