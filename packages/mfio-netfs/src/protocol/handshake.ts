import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 keyed by the token, over a role label and the two nonces in the role's order. */
function proof(token: string, label: string, first: Uint8Array, second: Uint8Array): Buffer {
  return createHmac('sha256', Buffer.from(token, 'utf8')).update(label).update(first).update(second).digest();
}

/** What the client sends in AUTH: proves it knows the token without sending it. */
export function clientProof(token: string, serverNonce: Uint8Array, clientNonce: Uint8Array): Buffer {
  return proof(token, 'mfio-netfs/1 client', serverNonce, clientNonce);
}

/** What the server sends in WELCOME: proves to the client that the server knows the token too. */
export function serverProof(token: string, clientNonce: Uint8Array, serverNonce: Uint8Array): Buffer {
  return proof(token, 'mfio-netfs/1 server', clientNonce, serverNonce);
}

/** Constant-time comparison of two proofs (a length mismatch is simply false). */
export function sameProof(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
