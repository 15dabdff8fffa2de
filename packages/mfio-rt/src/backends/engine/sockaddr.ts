import { isIPv4, isIPv6 } from 'node:net';
import { invalidArgValue } from '../../errors.js';
import type { SocketAddress } from '../../net/driver.js';

const AF_INET = 2;
/** Linux's; Winsock numbers it 23 (the structures are laid out alike). */
const AF_INET6 = process.platform === 'win32' ? 23 : 10;

/** A `struct sockaddr_in` / `sockaddr_in6` for a numeric address (Linux and Winsock layout). */
export function encodeSockaddr(address: string, port: number): Uint8Array {
  if (isIPv4(address)) {
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    view.setUint16(0, AF_INET, true);
    view.setUint16(2, port, false); // network byte order
    address.split('.').forEach((part, i) => (out[4 + i] = Number(part)));
    return out;
  }
  if (isIPv6(address)) {
    const out = new Uint8Array(28);
    const view = new DataView(out.buffer);
    view.setUint16(0, AF_INET6, true);
    view.setUint16(2, port, false);
    const groups = expandIPv6(address);
    groups.forEach((group, i) => view.setUint16(8 + 2 * i, group, false));
    return out;
  }
  throw invalidArgValue('address', 'must be a numeric IPv4 or IPv6 address', address);
}

/** The {@link SocketAddress} in a sockaddr the kernel filled. */
export function decodeSockaddr(bytes: Uint8Array): SocketAddress {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = view.getUint16(0, true);
  const port = view.getUint16(2, false);
  if (family === AF_INET6) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(view.getUint16(8 + 2 * i, false).toString(16));
    return { address: compressIPv6(groups), port, family: 'IPv6' };
  }
  return { address: `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}`, port, family: 'IPv4' };
}

function expandIPv6(address: string): number[] {
  let text = address.split('%')[0]!;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const p = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16));
}

/** RFC 5952 form, as Node prints addresses: the longest run of zero groups becomes '::'. */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}
