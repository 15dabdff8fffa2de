import type { MfioErrorCode } from '@mfio/core';
import type { Fs } from '@mfio/rt';

/** One way in to a target's files: its runtime, or one client connection to its server. */
export interface Connection {
  readonly fs: Fs;
  /**
   * Which life of the target's server this connection belongs to (0 for targets without one).
   * A request on a connection whose server the soak killed may fail with a reset code; on any
   * other, a reset is a bug.
   */
  readonly generation: number;
}

/** A server the soak runs in a child process and kills now and then. */
export interface Restartable {
  /** The server's pid, undefined while it is down. */
  pid(): number | undefined;
  /**
   * The error codes a request in flight may fail with when the server dies (`ECONNRESET` for
   * netfs); with any other code it is a bug.
   */
  readonly resetCodes: readonly MfioErrorCode[];
  /** SIGKILL the server and wait for its exit. Connections of the current generation die. */
  kill(): Promise<void>;
  /** Start the server again and connect anew: `connections()` then has a new generation. */
  revive(): Promise<void>;
}

/**
 * A place the soak reads and writes: a backend with a directory of its own (io_uring, the thread
 * pool, libuv, the in-memory VirtFs) or a server in a child process reached over the network
 * (netfs). Another remote backend (S3 through its own `Fs`, with the object store in a child
 * process) is one more implementation of this: the soak needs only an `Fs` per connection, a
 * way to create the files, and for a server, a way to kill and restart it.
 */
export interface SoakTarget {
  /** `io_uring`, `virt`, `netfs:io_uring`, ... */
  readonly name: string;
  /** False for a store whose files cannot be written at positions (object storage): reads only. */
  readonly writable: boolean;
  /** Present when the target's server runs in a child process the soak may kill. */
  readonly restartable?: Restartable;
  /** Start the backend (a runtime; a server and its client connections). */
  start(): Promise<void>;
  /** Connections to spread the file handles over (empty while the server is down). */
  connections(): readonly Connection[];
  /** Create file `name` with `content` (the model's starting point), replacing what was there. */
  createFile(name: string, content: Uint8Array): Promise<void>;
  /** Close every connection and stop what `start` started; rejects when that fails. */
  close(): Promise<void>;
}
