import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { MfioError } from '@mfio/core';
import { DriverFile } from './file.js';
import type { FileHandle } from './types.js';
import { loadAddon, type NativeFileSplice } from '../native/addon.js';

/** What the pipe is asked to hold: a server's largest frame of file data fits in one stage. */
const PIPE_BYTES = 256 * 1024;
const EPERM = -1;
const EAGAIN = -11;
const EBUSY = -16;
const ENOSYS = -38;

/** How often each way was taken, since the process started (for diagnostics and tests). */
export interface FileSpliceStats {
  /** Ranges sent straight from the page cache. */
  spliced: number;
  /** Bytes of file data in them. */
  splicedBytes: number;
  /** Ranges refused because some of their pages were not cached (the caller read them instead). */
  notCached: number;
  /** Sends the socket took only part of: the rest went through `socket.write`. */
  partial: number;
}

const stats: FileSpliceStats = { spliced: 0, splicedBytes: 0, notCached: 0, partial: 0 };

/** This thread's pipe: undefined until first asked, null where splicing cannot work. */
let shared: NativeFileSplice | null | undefined;

/** Per file, whether its filesystem is one splice is used on (asked once: fstatfs). */
const spliceableFiles = new WeakMap<DriverFile, boolean>();

/** `MFIO_SPLICE=0` turns splicing off (every caller copies): for comparisons, and as a way out. */
export const SPLICE_ENV = 'MFIO_SPLICE';

function pipe(): NativeFileSplice | null {
  if (shared !== undefined) return shared;
  if (process.env[SPLICE_ENV] === '0') return (shared = null);
  try {
    const FileSplice = process.platform === 'linux' ? loadAddon().FileSplice : undefined;
    shared = FileSplice === undefined ? null : new FileSplice(PIPE_BYTES);
  } catch {
    shared = null; // no addon here: every caller takes its copying path
  }
  return shared;
}

/** Bun and Deno emulate Node's sockets: whether their queues say what `ready` reads is not known. */
const foreignHost = typeof process.versions.bun === 'string' || typeof process.versions.deno === 'string';

/** The descriptor of a plain TCP socket under Node. */
function socketFd(socket: Socket): number | null {
  if (foreignHost || socket instanceof TLSSocket) return null;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/**
 * Sends ranges of files down one TCP socket with splice(2): the socket gets references to the
 * cached pages, where a read and a write would copy every byte twice through user memory (the
 * netfs server and client in one process read 64 KiB blocks over loopback with 0.85x the CPU).
 * Linux, Node, plain TCP, native backends only: {@link SocketFileSplice.for} says null elsewhere
 * and the caller keeps its copying path.
 *
 * Everything happens on the calling thread and returns at once. A range not wholly in the page
 * cache and read (readahead may still be filling it) is refused (`stage` returns null) rather
 * than blocking on the disk, and so is every range of a file on a filesystem whose splice may
 * wait for more than the pages (NFS, XFS, overlayfs: only ext4, btrfs and tmpfs are spliced).
 * A socket whose buffer fills takes what it can and the rest is queued with `socket.write`, in
 * order.
 *
 * As with sendfile, the bytes leave as the page cache holds them when the kernel sends them,
 * which can be after `send` returned while the socket's buffer drains: a write that lands
 * meanwhile may show in them, and a cut (ftruncate) zeroes the part of its last page past the
 * new end.
 * @example
 * const splice = SocketFileSplice.for(socket);
 * const n = splice?.ready ? splice.stage(file, position, length) : null;
 * if (n === null) { ... read and write as usual ... }
 * else if (n > 0) splice!.send(headerSaying(n));
 */
export class SocketFileSplice {
  readonly #socket: Socket;
  readonly #pipe: NativeFileSplice;
  /** Bytes staged for this socket and not sent yet. */
  #staged = 0;

  private constructor(socket: Socket, pipe: NativeFileSplice) {
    this.#socket = socket;
    this.#pipe = pipe;
  }

  /** A splicer for `socket`, or null where splicing cannot work (see the class). */
  static for(socket: Socket): SocketFileSplice | null {
    const shared = socketFd(socket) === null ? null : pipe();
    return shared === null ? null : new SocketFileSplice(socket, shared);
  }

  /** Counts since the process started. */
  static stats(): FileSpliceStats {
    return { ...stats };
  }

  /** The most bytes one `stage` takes. */
  get capacity(): number {
    return this.#pipe.capacity;
  }

  /**
   * True when bytes written to the descriptor now follow everything written before: nothing
   * waits in the socket's queue (Node's or libuv's) and the socket is open.
   */
  get ready(): boolean {
    const socket = this.#socket;
    return shared !== null && !socket.destroyed && socket.writable && !socket.connecting && socket.writableLength === 0;
  }

  /**
   * Take `length` bytes of `file` at `position` into the pipe; returns how many (fewer only if
   * the file was cut meanwhile), or null when they cannot be spliced now: not all in the page
   * cache (a range reaching past the end of the file is not: its reader finds the end),
   * the file has no descriptor to splice from (not a native backend, direct I/O, closing), or
   * `length` is over {@link capacity}. Follow a count over 0 with {@link send} (or {@link drop})
   * before anything else touches the socket.
   */
  stage(file: FileHandle, position: number, length: number): number | null {
    if (this.#staged !== 0) throw new MfioError('ERR_INVALID_STATE', 'SocketFileSplice: the bytes staged before were neither sent nor dropped');
    const fd = file instanceof DriverFile ? file.spliceFd() : null;
    if (fd === null || length > this.#pipe.capacity || shared === null || !this.#spliceable(file as DriverFile, fd)) return null;
    let got = this.#pipe.stage(fd, position, length);
    if (got === EBUSY) {
      // Staged by another splicer that never sent them (its caller threw in between): everything
      // here is synchronous, so they were abandoned. The pipe is shared: empty it and go on.
      this.#pipe.drop();
      got = this.#pipe.stage(fd, position, length);
    }
    if (got >= 0) {
      this.#staged = got;
      return got;
    }
    if (got === EAGAIN) stats.notCached++;
    // Without cachestat (before Linux 6.5, or forbidden) nothing says whether a splice would
    // block: never splice here.
    if (got === ENOSYS || got === EPERM) shared = null;
    return null; // any other error: the caller's read meets it again and reports it
  }

  #spliceable(file: DriverFile, fd: number): boolean {
    let known = spliceableFiles.get(file);
    if (known === undefined) spliceableFiles.set(file, (known = this.#pipe.spliceable(fd)));
    return known;
  }

  /**
   * Send `header` and then the staged bytes. What the socket does not take now is queued with
   * `socket.write` (so {@link ready} is false until it drains). A socket that fails is destroyed
   * with the error, as a failed `socket.write` would leave it; one Node destroyed already gets
   * nothing (the staged bytes are dropped).
   */
  send(header: Uint8Array): void {
    const staged = this.#staged;
    this.#staged = 0;
    // Asked each time: once Node destroys the socket (a reset it saw) its number is closed, and
    // could name another descriptor.
    const fd = this.#socket.destroyed ? null : socketFd(this.#socket);
    if (fd === null) return this.#pipe.drop();
    const sent = this.#pipe.send(fd, header);
    if (sent < 0) {
      this.#socket.destroy(MfioError.fromErrno(sent, { syscall: 'splice' }));
      return;
    }
    stats.spliced++;
    stats.splicedBytes += staged;
    if (sent === header.length + staged) return;
    stats.partial++;
    if (sent < header.length) this.#socket.write(header.subarray(sent));
    const rest = this.#pipe.rest();
    if (rest.length > 0) this.#socket.write(rest);
  }

  /** Drop the staged bytes unsent. */
  drop(): void {
    this.#staged = 0;
    this.#pipe.drop();
  }
}
