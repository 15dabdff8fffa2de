import { isAbsolute, toNamespacedPath } from 'node:path';
import { invalidArgValue } from '../../errors.js';
import { AT_FDCWD, AT_REMOVEDIR, IORING_FSYNC_DATASYNC, IOSQE_IO_LINK, Op, STATX_BUFFER_SIZE } from './commands.js';

/**
 * A request handed to the executor: told its result (>= 0 or -errno) once, when it completes.
 * One Pending may stand for many requests (a readMany batch): `index` says which.
 */
export interface Pending {
  /** Set by the queue: slot and generation, what the kernel echoes back (the latest request's). */
  userData: number;
  complete(res: number, index: number): void;
}

/** Bytes the kernel reads or writes: `length` bytes of `buffer` from `offset`. */
export interface ByteRange {
  readonly buffer: Uint8Array;
  readonly offset: number;
  readonly length: number;
}

declare const cPathBrand: unique symbol;
declare const statxBrand: unique symbol;
/** A path as the kernel reads it, made by {@link cPath}. */
export type CPath = Uint8Array & { readonly [cPathBrand]: true };
/** The 256 bytes a statx fills, made by {@link statxBuffer}. */
export type StatxBuffer = Uint8Array & { readonly [statxBrand]: true };

/**
 * A path as the kernel reads it: UTF-8 with a NUL at the end (and none inside).
 * @throws {MfioError} ERR_INVALID_ARG_VALUE for a path with a NUL byte.
 */
export function cPath(path: string): CPath {
  if (path.includes('\0')) throw invalidArgValue('path', 'must be a string without null bytes', path);
  // On Windows an absolute path goes in the \\?\ form, as node:fs passes paths, so paths over
  // MAX_PATH (260) work (a relative one, openat2's, stays relative); elsewhere toNamespacedPath
  // returns the path as it is.
  return Buffer.from(`${isAbsolute(path) ? toNamespacedPath(path) : path}\0`, 'utf8') as Uint8Array as CPath;
}

/** The empty path: with AT_EMPTY_PATH, statx describes the fd itself. */
export const EMPTY_PATH = Buffer.from('\0') as Uint8Array as CPath;

/** A fresh statx output buffer. */
export function statxBuffer(): StatxBuffer {
  return new Uint8Array(STATX_BUFFER_SIZE) as StatxBuffer;
}

/** Where a builder puts its command: the queue, which keeps both buffers until the completion. */
export interface CommandSink {
  /** Only the builders below call this: their signatures say what each slot means. */
  put(
    op: Op,
    to: Pending,
    index: number,
    fd: number,
    buffer: Uint8Array | null,
    offset: number,
    len: number,
    arg: number,
    flags: number,
    second: Uint8Array | null,
  ): void;
}

/**
 * One builder per native operation (commands/table.mjs): each names its arguments and puts them in
 * the slots its op reads, so a path cannot land where a length goes. `to` is told the result
 * (>= 0 or -errno) once; the queue keeps every buffer given here referenced until then.
 */
export class CommandBuilder {
  readonly #sink: CommandSink;

  constructor(sink: CommandSink) {
    this.#sink = sink;
  }

  /** Completes with 0 and touches nothing. */
  nop(to: Pending): void {
    this.#sink.put(Op.Nop, to, 0, -1, null, 0, 0, 0, 0, null);
  }

  /** pread into `into` from `position`. */
  read(to: Pending, fd: number, into: ByteRange, position: number): void {
    this.#sink.put(Op.Read, to, 0, fd, into.buffer, into.offset, into.length, position, 0, null);
  }

  /** Read `index` of a batch whose requests share one Pending (readMany): no object per request. */
  readOfBatch(to: Pending, index: number, fd: number, buffer: Uint8Array, offset: number, length: number, position: number): void {
    this.#sink.put(Op.Read, to, index, fd, buffer, offset, length, position, 0, null);
  }

  /** pwrite `from` at `position`. */
  write(to: Pending, fd: number, from: ByteRange, position: number): void {
    this.#sink.put(Op.Write, to, 0, fd, from.buffer, from.offset, from.length, position, 0, null);
  }

  /**
   * pwrite `from` at `position` (request 0 of `to`), then fdatasync (request 1) linked to it
   * (IOSQE_IO_LINK, io_uring only): the flush starts only once the write succeeded in full, and
   * completes with -ECANCELED if it did not. The queue and the executor keep the pair in one
   * submission.
   */
  writeThenDatasync(to: Pending, fd: number, from: ByteRange, position: number): void {
    this.#sink.put(Op.Write, to, 0, fd, from.buffer, from.offset, from.length, position, IOSQE_IO_LINK, null);
    this.#sink.put(Op.Fsync, to, 1, fd, null, 0, 0, 0, IORING_FSYNC_DATASYNC, null);
  }

  /** openat(AT_FDCWD, path): completes with the descriptor. */
  openAt(to: Pending, path: CPath, openFlags: number, mode: number): void {
    this.#sink.put(Op.OpenAt, to, 0, AT_FDCWD, path, 0, mode, 0, openFlags, null);
  }

  /** openat2(dirFd, path) confined by `resolve` (RESOLVE_* flags): completes with the descriptor. */
  openAt2(to: Pending, dirFd: number, path: CPath, openFlags: number, mode: number, resolve: number): void {
    this.#sink.put(Op.OpenAt2, to, 0, dirFd, path, 0, mode, resolve, openFlags, null);
  }

  close(to: Pending, fd: number): void {
    this.#sink.put(Op.Close, to, 0, fd, null, 0, 0, 0, 0, null);
  }

  /** fsync, or fdatasync when `dataOnly`. */
  fsync(to: Pending, fd: number, dataOnly: boolean): void {
    this.#sink.put(Op.Fsync, to, 0, fd, null, 0, 0, 0, dataOnly ? IORING_FSYNC_DATASYNC : 0, null);
  }

  /** statx(dirFd, path, atFlags, mask) into `out`. */
  statx(to: Pending, dirFd: number, path: CPath, atFlags: number, mask: number, out: StatxBuffer): void {
    this.#sink.put(Op.Statx, to, 0, dirFd, path, 0, mask, 0, atFlags, out);
  }

  mkdirAt(to: Pending, path: CPath, mode: number): void {
    this.#sink.put(Op.MkdirAt, to, 0, AT_FDCWD, path, 0, mode, 0, 0, null);
  }

  /** unlink, or rmdir when `directory`. */
  unlinkAt(to: Pending, path: CPath, directory: boolean): void {
    this.#sink.put(Op.UnlinkAt, to, 0, AT_FDCWD, path, 0, 0, 0, directory ? AT_REMOVEDIR : 0, null);
  }

  renameAt(to: Pending, from: CPath, newPath: CPath): void {
    this.#sink.put(Op.RenameAt, to, 0, AT_FDCWD, from, 0, AT_FDCWD, 0, 0, newPath);
  }

  /** A hard link `newPath` to `existing`. */
  linkAt(to: Pending, existing: CPath, newPath: CPath): void {
    this.#sink.put(Op.LinkAt, to, 0, AT_FDCWD, existing, 0, AT_FDCWD, 0, 0, newPath);
  }

  connect(to: Pending, socket: number, sockaddr: Uint8Array): void {
    this.#sink.put(Op.Connect, to, 0, socket, sockaddr, 0, sockaddr.length, 0, 0, null);
  }

  /** Completes with the accepted connection's descriptor. */
  accept(to: Pending, socket: number): void {
    this.#sink.put(Op.Accept, to, 0, socket, null, 0, 0, 0, 0, null);
  }

  recv(to: Pending, socket: number, into: ByteRange): void {
    this.#sink.put(Op.Recv, to, 0, socket, into.buffer, into.offset, into.length, 0, 0, null);
  }

  /** send with `msgFlags` (MSG_NOSIGNAL). */
  send(to: Pending, socket: number, from: ByteRange, msgFlags: number): void {
    this.#sink.put(Op.Send, to, 0, socket, from.buffer, from.offset, from.length, 0, msgFlags, null);
  }

  /** `how`: SHUT_RD, SHUT_WR or SHUT_RDWR. */
  shutdown(to: Pending, socket: number, how: number): void {
    this.#sink.put(Op.Shutdown, to, 0, socket, null, 0, how, 0, 0, null);
  }

  /** posix_fadvise(fd, offset, length, advice): `length` under 4 GiB (EINVAL beyond), 0 for to the end of the file. */
  fadvise(to: Pending, fd: number, offset: number, length: number, advice: number): void {
    this.#sink.put(Op.Fadvise, to, 0, fd, null, 0, length, offset, advice, null);
  }

  /** The file's new length (the IOCP executor only; the others answer EINVAL). */
  setLen(to: Pending, fd: number, length: number): void {
    this.#sink.put(Op.SetLen, to, 0, fd, null, 0, 0, length, 0, null);
  }
}
