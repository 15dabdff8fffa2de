import type { Session } from './contenders.js';
import type { ServerKind, Target } from './peers/peer-server.js';

/** A contender that reads the sample file from a server on this machine. */
export interface RemoteContender {
  /**
   * e.g. `netfs:io_uring:readAt` (the server's backend in the middle), `netfs:io_uring:readAt:plain`
   * (the library's buffers), `http:range:6` or `smb`.
   */
  name: string;
  /** The server it reads from. */
  server: ServerKind;
  /** Reads in flight: the case's inFlight for netfs and the peers, 1, 6 or N for HTTP. */
  window(inFlight: number): number;
  /** Extra environment of the child process that runs it. */
  env?(inFlight: number): Record<string, string>;
  /** Open the file for runs of up to `reads` reads of `size` bytes, `inFlight` at a time. */
  open(target: Target, inFlight: number, reads: number, size: number): Promise<Session>;
}
