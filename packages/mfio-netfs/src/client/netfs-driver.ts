import { posix } from 'node:path';
import type { IoBackend } from '@mfio/core';
import type { DirEntry, FsDriver, Metadata, OpenFlags, PathSyntax, RawFile } from '@mfio/rt';
import { FrameType as T, OpenFlagBit } from '../protocol/constants.js';
import type { ClientConnection, RequestBody } from './client-connection.js';
import { toMetadata } from './metadata.js';
import { NetFsFile, unexpected } from './netfs-file.js';

/** Entries asked for per READ_DIR. */
const DIR_PAGE = 256;

/** What completes netfs I/O: the socket, on Node's loop. It cannot block (no sync wrappers). */

/**
 * The netfs client as an `@mfio/rt` {@link FsDriver}: `DriverFs` on top gives it the whole
 * `Fs` API with the runtime's path resolution, option checks and closed-handle rules. Paths
 * are POSIX, `/` is the served root.
 */
export class NetFsDriver implements FsDriver {
  /** No pollable handle (the socket is Node's); what is in flight is the connection's requests. */
  readonly backend: IoBackend;
  readonly paths: PathSyntax = posix;
  readonly cwd = '/';
  readonly #conn: ClientConnection;

  constructor(conn: ClientConnection) {
    this.#conn = conn;
    this.backend = { name: 'netfs', pollHandle: () => null, describeInFlight: () => conn.describeInFlight() };
  }

  async #ok(body: RequestBody, syscall: string, path: string, dest?: string): Promise<void> {
    await this.#conn.call(body, dest === undefined ? { syscall, path } : { syscall, path, dest });
  }

  async open(path: string, flags: OpenFlags): Promise<RawFile> {
    let bits = 0;
    for (const [name, bit] of Object.entries(OpenFlagBit)) if (flags[name as keyof OpenFlags]) bits |= bit;
    const m = await this.#conn.call({ type: T.OPEN_FILE, flags: bits, path }, { syscall: 'open', path });
    if (m.type !== T.HANDLE) throw unexpected(m.type);
    return new NetFsFile(this.#conn, m.handle, path, flags);
  }

  async metadata(path: string): Promise<Metadata> {
    const m = await this.#conn.call({ type: T.METADATA, path }, { syscall: 'stat', path });
    if (m.type !== T.METADATA_RESULT) throw unexpected(m.type);
    return toMetadata(m.metadata);
  }

  /** Pages of entries over one server-side iteration, released when the iteration ends. */
  async *readDir(path: string): AsyncGenerator<DirEntry> {
    const context = { syscall: 'scandir', path };
    const opened = await this.#conn.call({ type: T.OPEN_DIR, path }, context);
    if (opened.type !== T.HANDLE) throw unexpected(opened.type);
    const handle = opened.handle;
    try {
      for (;;) {
        const page = await this.#conn.call({ type: T.READ_DIR, handle, max: DIR_PAGE }, context);
        if (page.type !== T.ENTRIES) throw unexpected(page.type);
        for (const entry of page.entries) yield entry;
        if (page.done) return;
      }
    } finally {
      if (this.#conn.alive) await this.#conn.call({ type: T.CLOSE_DIR, handle }, context).catch(() => undefined);
    }
  }

  createDir(path: string, recursive: boolean): Promise<void> {
    return this.#ok({ type: T.CREATE_DIR, recursive, path }, 'mkdir', path);
  }

  removeDir(path: string): Promise<void> {
    return this.#ok({ type: T.REMOVE_DIR, path }, 'rmdir', path);
  }

  removeDirAll(path: string): Promise<void> {
    return this.#ok({ type: T.REMOVE_DIR_ALL, path }, 'rm', path);
  }

  removeFile(path: string): Promise<void> {
    return this.#ok({ type: T.REMOVE_FILE, path }, 'unlink', path);
  }

  rename(from: string, to: string): Promise<void> {
    return this.#ok({ type: T.RENAME, from, to }, 'rename', from, to);
  }

  copy(from: string, to: string): Promise<void> {
    return this.#ok({ type: T.COPY, from, to }, 'copyfile', from, to);
  }

  hardLink(from: string, to: string): Promise<void> {
    return this.#ok({ type: T.HARD_LINK, from, to }, 'link', from, to);
  }

  setPermissions(path: string, mode: number): Promise<void> {
    return this.#ok({ type: T.SET_PERMISSIONS, mode, path }, 'chmod', path);
  }
}
