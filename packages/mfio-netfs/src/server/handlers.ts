import { relative } from 'node:path';
import { MfioError } from '@mfio/core';
import type { DirHandle, FileHandle, Metadata, OpenOptions } from '@mfio/rt';
import { FrameType as T, OpenFlagBit, READ_DATA_OVERHEAD } from '../protocol/constants.js';
import { encodeMessage, entriesFrameSize } from '../protocol/encode.js';
import type { Request, WireDirEntry, WireMetadata } from '../protocol/messages.js';
import type { HandleTable } from './handle-table.js';
import type { PathLock } from './path-lock.js';
import type { PathResolver } from './root-paths.js';
import type { SendBuffers } from './send-buffers.js';

/** What a request handler works with: one connection's view of the server. */
export interface Session {
  /** A directory handle of the backend; handlers pass it absolute host paths. */
  readonly dir: DirHandle;
  /**
   * The served root, where the backend opens files with the kernel's own check
   * (`openFileBeneath`: openat2 RESOLVE_BENEATH); null where it cannot (then the walk alone).
   */
  readonly beneath: DirHandle | null;
  readonly resolver: PathResolver;
  /** Held from a path's check to the end of its call (see PathLock). */
  readonly paths: PathLock;
  readonly handles: HandleTable;
  readonly readOnly: boolean;
  /** SET_PERMISSIONS may set setuid, setgid and sticky (else EPERM). */
  readonly allowSpecialModeBits: boolean;
  readonly maxFrame: number;
  /**
   * Queue a frame on the socket (dropped once the connection is gone); `written` is called once
   * the socket has written it or failed to, never if it was dropped.
   */
  send(frame: Buffer, written?: () => void): void;
  /** READ_DATA buffers (the server's, shared by its connections), given back once written. */
  readonly sendBuffers: SendBuffers;
  /** The client takes READ_DATA_LAST (it said so in HELLO): a one-fragment read is one frame. */
  readDataLast: boolean;
  /**
   * Resolves when the socket's queued output is under its cap (at once if it is): a READ waits
   * on it before each fragment, so a client that does not read its answers holds at most the
   * cap plus one fragment per lane per request, not whole reads.
   */
  writable(): Promise<void>;
  /** True once the connection can carry no more answers (closed or closing). */
  gone(): boolean;
  /**
   * Send `length` bytes of `file` at `position` straight from the page cache (see
   * SocketFileSplice in @mfio/rt), after the header `header(n)` makes for the `n` there are;
   * returns `n` (0 at end of file: nothing sent), or null when that cannot be done now (then read
   * and `send` as usual).
   */
  sendFromFile(file: FileHandle, position: number, length: number, header: (n: number) => Buffer): number | null;
}

/**
 * Set when the client sent CANCEL for the request. A plain flag: an AbortController per READ
 * took 5% of the server's time on 4 KiB reads.
 */
export interface Cancellation {
  cancelled: boolean;
}

/**
 * Fragments from this size up are spliced from the page cache when they can be (Session
 * sendFromFile). A splice costs four syscalls per fragment (cachestat, two splices, the header's
 * send) where reads go to the ring in batches and a turn's frames leave in one writev: at 32 KiB
 * the two came out even (0.98x the CPU, server and client in one process), at 64 KiB splicing
 * took 0.85x.
 */
const SPLICE_FROM = 32 * 1024;
/** Bytes per READ_DATA fragment, and fragments of one READ read at once. */
const FRAGMENT = 128 * 1024;
const FRAGMENTS_AT_ONCE = 2;
const WRITE_BITS = OpenFlagBit.write | OpenFlagBit.append | OpenFlagBit.create | OpenFlagBit.createNew | OpenFlagBit.truncate;

function cancelled(): MfioError {
  return MfioError.fromCode('ECANCELED', { syscall: 'read' });
}

function readOnlyError(syscall: string): MfioError {
  return MfioError.fromCode('EROFS', { syscall });
}

/** Removing or renaming the served root itself would pull the floor from under every client. */
function notRoot(path: string, syscall: string): void {
  if (path === '/') throw MfioError.fromCode('EBUSY', { syscall, path });
}

export function toWireMetadata(m: Metadata): WireMetadata {
  return {
    len: m.len,
    mode: m.permissions.mode & 0o7777,
    type: m.type,
    modified: m.modified?.getTime() ?? null,
    accessed: m.accessed?.getTime() ?? null,
    created: m.created?.getTime() ?? null,
  };
}

function openOptions(flags: number): OpenOptions {
  const options: OpenOptions = {};
  for (const [name, bit] of Object.entries(OpenFlagBit)) if ((flags & bit) !== 0) options[name as keyof OpenOptions] = true;
  return options;
}

/**
 * Answer a READ with fragments read straight into their own buffers (sent after a 13-byte
 * header, so the data is never copied), two at a time so they may finish out of order, then
 * READ_DONE with the total. Stops at the first short read (end of file). A CANCEL (`cancel`)
 * stops it before its next fragment (one being read finishes unsent): it ends with ERROR
 * ECANCELED, the fragments already sent standing. A read of one fragment (most are) skips the
 * lanes.
 */
async function read(s: Session, id: number, handle: number, position: number, length: number, cancel?: Cancellation): Promise<void> {
  const file = s.handles.file(handle, 'read');
  const fragment = Math.min(FRAGMENT, s.maxFrame - READ_DATA_OVERHEAD);
  if (length <= fragment) {
    await s.writable();
    // Reading on for a client that left would only be thrown away.
    const last = s.readDataLast;
    const got = s.gone() ? 0 : await readFragment(s, file, id, position, 0, length, cancel, null, last);
    // Nothing read (end of file), or an old client: READ_DONE says the read is over.
    if (got === 0 || !last) s.send(encodeMessage({ type: T.READ_DONE, id, transferred: got }));
    return;
  }
  let next = 0;
  let end = length; // lowered at the first short read
  let transferred = 0;
  // The first failure ends the read: no lane sends data after it, and the ERROR goes out only
  // once every lane has stopped (a READ_DATA after the ERROR would name a finished request).
  // Boxed, so that even a `null` thrown counts; set only by the lanes (the cast keeps TypeScript
  // from taking it for null after the Promise.all).
  let failure = null as { error: unknown } | null;
  const failed = (): boolean => failure !== null;
  const lane = async (): Promise<void> => {
    try {
      while (next < end && failure === null) {
        await s.writable();
        if (next >= end || failure !== null || s.gone()) break;
        const offset = next;
        const n = Math.min(fragment, end - offset);
        next += n;
        const got = await readFragment(s, file, id, position, offset, n, cancel, failed, false);
        if (got < n) end = Math.min(end, offset + got);
        transferred += got;
      }
    } catch (error) {
      failure ??= { error };
    }
  };
  await Promise.all(Array.from({ length: Math.min(FRAGMENTS_AT_ONCE, Math.ceil(length / fragment)) }, lane));
  if (failure !== null) throw failure.error;
  s.send(encodeMessage({ type: T.READ_DONE, id, transferred }));
}

/**
 * Read `n` bytes at `position + offset` and send them as one READ_DATA (READ_DATA_LAST with
 * `last`: it ends the read); resolves with the bytes sent (fewer at end of file; 0 when
 * `failed()` says another lane failed meanwhile). Throws ECANCELED if the client cancelled,
 * before reading or after (then nothing is sent).
 */
async function readFragment(
  s: Session,
  file: FileHandle,
  id: number,
  position: number,
  offset: number,
  n: number,
  cancel: Cancellation | undefined,
  failed: (() => boolean) | null,
  last: boolean,
): Promise<number> {
  if (cancel?.cancelled) throw cancelled();
  if (n >= SPLICE_FROM && failed?.() !== true) {
    const got = s.sendFromFile(file, position + offset, n, (got) => readDataHeader(Buffer.allocUnsafe(READ_DATA_OVERHEAD), got, last, id, offset));
    if (got !== null) return got;
  }
  const { frame, data, pooled } = readDataFrame(s.sendBuffers, n);
  // The read settles only once the backend is done with `data`: it may go back then.
  const giveBack = (): void => {
    if (pooled) s.sendBuffers.give(data);
  };
  let got: number;
  try {
    got = await file.readAt(position + offset, data);
  } catch (error) {
    giveBack();
    throw error;
  }
  if (got === 0 || failed?.() === true) {
    giveBack();
    return 0;
  }
  if (cancel?.cancelled) {
    giveBack();
    throw cancelled();
  }
  readDataHeader(frame, got, last, id, offset);
  if (!pooled) {
    s.send(frame.subarray(0, READ_DATA_OVERHEAD + got)); // header and data in one
  } else {
    s.send(frame); // the header; the two writes leave as one (the connection corks)
    s.send(data.subarray(0, got), giveBack);
  }
  return got;
}

/** Write the header of a READ_DATA (READ_DATA_LAST with `last`) of `got` bytes at the start of `frame`. */
function readDataHeader(frame: Buffer, got: number, last: boolean, id: number, offset: number): Buffer {
  frame.writeUInt32LE(READ_DATA_OVERHEAD - 4 + got, 0);
  frame.writeUInt8(last ? T.READ_DATA_LAST : T.READ_DATA, 4);
  frame.writeUInt32LE(id, 5);
  frame.writeUInt32LE(offset, 9);
  return frame;
}

const PAGE = 4096;

/**
 * Where a READ_DATA of `n` bytes is read and sent from. From a page up the data gets a
 * page-aligned buffer of the connection's (`pooled`: given back once written) and the 13-byte
 * header its own, sent just before it. Smaller ones are one buffer from Node's pool: `frame` is
 * then the header followed by `data`.
 */
function readDataFrame(buffers: SendBuffers, n: number): { frame: Buffer; data: Buffer; pooled: boolean } {
  if (n < PAGE) {
    const frame = Buffer.allocUnsafe(READ_DATA_OVERHEAD + n);
    return { frame, data: frame.subarray(READ_DATA_OVERHEAD), pooled: false };
  }
  return { frame: Buffer.allocUnsafe(READ_DATA_OVERHEAD), data: buffers.take(n), pooled: true };
}

/** One page of a directory iteration, as many entries as `max` and the frame size allow. */
async function readDir(s: Session, id: number, handle: number, max: number): Promise<void> {
  const dir = s.handles.dir(handle, 'scandir');
  const page = dir.turn.then(async () => {
    const entries: WireDirEntry[] = [];
    const sizes: number[] = [];
    let done = false;
    while (entries.length < max) {
      let entry = dir.carry;
      dir.carry = null;
      if (entry === null) {
        const next = await dir.iterator.next();
        if (next.done === true) {
          done = true;
          break;
        }
        entry = next.value;
      }
      const size = Buffer.byteLength(entry.name, 'utf8');
      if (entriesFrameSize([...sizes, size]) > s.maxFrame) {
        dir.carry = entry;
        break;
      }
      sizes.push(size);
      entries.push({ name: entry.name, type: entry.type });
    }
    s.send(encodeMessage({ type: T.ENTRIES, id, done, entries }));
  });
  dir.turn = page.catch(() => undefined);
  await page;
}

/**
 * Run one request and send its success response(s). Failures are thrown (as MfioErrors with
 * the backend's code) for the caller to send as ERROR.
 */
export async function runRequest(s: Session, m: Request, cancel?: Cancellation): Promise<void> {
  const ok = (): void => s.send(encodeMessage({ type: T.OK, id: m.id }));
  const { dir, resolver, paths } = s;
  const mutate = (syscall: string): void => {
    if (s.readOnly) throw readOnlyError(syscall);
  };
  switch (m.type) {
    case T.OPEN_FILE: {
      if (s.readOnly && (m.flags & WRITE_BITS) !== 0) throw readOnlyError('open');
      const release = s.handles.reserve();
      try {
        const file = await paths.shared(async () => {
          const host = await resolver.resolve(m.path, true);
          if (s.beneath === null) return dir.openFile(host, openOptions(m.flags));
          // The walk's answer, opened again under the kernel's check: a local process that
          // swaps a checked directory for a symlink meanwhile gets EXDEV, not the file outside.
          return s.beneath.openFileBeneath(relative(resolver.root, host) || '.', openOptions(m.flags));
        });
        release();
        s.send(encodeMessage({ type: T.HANDLE, id: m.id, handle: s.handles.addFile(file) }));
      } finally {
        release();
      }
      return;
    }
    case T.CLOSE_FILE:
      await s.handles.takeFile(m.handle).close();
      return ok();
    case T.READ:
      return read(s, m.id, m.handle, m.position, m.length, cancel);
    case T.WRITE: {
      await s.handles.file(m.handle, 'write').writeAllAt(m.position, m.data);
      s.send(encodeMessage({ type: T.WRITTEN, id: m.id, count: m.data.length }));
      return;
    }
    case T.FILE_METADATA: {
      const metadata = toWireMetadata(await s.handles.file(m.handle, 'fstat').metadata());
      s.send(encodeMessage({ type: T.METADATA_RESULT, id: m.id, metadata }));
      return;
    }
    case T.SET_LEN:
      await s.handles.file(m.handle, 'ftruncate').setLen(m.length);
      return ok();
    case T.SYNC:
      await s.handles.file(m.handle, 'fsync').sync();
      return ok();
    case T.OPEN_DIR: {
      const release = s.handles.reserve();
      try {
        const handle = await paths.shared(async () => dir.openDir(await resolver.resolve(m.path, true)));
        const iterator = handle.readDir()[Symbol.asyncIterator]();
        release();
        s.send(encodeMessage({ type: T.HANDLE, id: m.id, handle: s.handles.addDir({ iterator, carry: null, turn: Promise.resolve() }) }));
      } finally {
        release();
      }
      return;
    }
    case T.READ_DIR:
      return readDir(s, m.id, m.handle, m.max);
    case T.CLOSE_DIR:
      await s.handles.takeDir(m.handle).iterator.return?.();
      return ok();
    case T.METADATA: {
      const metadata = toWireMetadata(await paths.shared(async () => dir.metadata(await resolver.resolve(m.path, true))));
      s.send(encodeMessage({ type: T.METADATA_RESULT, id: m.id, metadata }));
      return;
    }
    case T.CREATE_DIR: {
      mutate('mkdir');
      await paths.shared(async () => {
        const host = await resolver.resolve(m.path, false);
        await (m.recursive ? dir.createDirAll(host) : dir.createDir(host));
      });
      return ok();
    }
    case T.REMOVE_DIR:
      mutate('rmdir');
      notRoot(m.path, 'rmdir');
      await paths.shared(async () => dir.removeDir(await resolver.resolve(m.path, false)));
      return ok();
    case T.REMOVE_DIR_ALL:
      mutate('rm');
      notRoot(m.path, 'rm');
      await paths.shared(async () => dir.removeDirAll(await resolver.resolve(m.path, false)));
      return ok();
    case T.REMOVE_FILE:
      mutate('unlink');
      await paths.shared(async () => dir.removeFile(await resolver.resolve(m.path, false)));
      return ok();
    case T.RENAME:
      mutate('rename');
      notRoot(m.from, 'rename');
      notRoot(m.to, 'rename');
      // Alone: a rename may move a symlink into a path another request has checked.
      await paths.exclusive(async () => dir.rename(await resolver.resolve(m.from, false), await resolver.resolve(m.to, false)));
      return ok();
    case T.COPY:
      mutate('copyfile');
      await paths.shared(async () => {
        const to = await resolver.resolve(m.to, true);
        await dir.copy(await resolver.resolve(m.from, true), to);
        // copyfile keeps the source's mode: a copy of a setuid file the client then overwrites
        // would run its bytes as the file's owner. Where clients may not set these bits, a copy
        // does not get them either.
        if (!s.allowSpecialModeBits) {
          const { mode } = (await dir.metadata(to)).permissions;
          if ((mode & ~0o777) !== 0) await dir.setPermissions(to, { mode: mode & 0o777 });
        }
      });
      return ok();
    case T.HARD_LINK:
      mutate('link');
      // Alone: link(2) copies a symlink itself into the new name.
      await paths.exclusive(async () => dir.hardLink(await resolver.resolve(m.from, false), await resolver.resolve(m.to, false)));
      return ok();
    case T.SET_PERMISSIONS:
      mutate('chmod');
      // EPERM, as chmod(2) says to a caller without the privilege: the mode is valid, this
      // client may not set it (EINVAL would send it looking for a bug in its arguments).
      if ((m.mode & ~0o777) !== 0 && !s.allowSpecialModeBits) throw MfioError.fromCode('EPERM', { syscall: 'chmod', path: m.path });
      await paths.shared(async () => dir.setPermissions(await resolver.resolve(m.path, true), { mode: m.mode }));
      return ok();
    case T.HELLO:
    case T.AUTH:
      // The connection routes handshake frames itself; here they are a violation.
      throw new Error('handshake frame routed as a request');
  }
}
