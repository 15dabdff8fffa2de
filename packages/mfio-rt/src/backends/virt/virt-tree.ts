import { posix } from 'node:path';
import type { SystemErrorCode } from '@mfio/core';

import { systemError } from '../../errors.js';
import type { Metadata } from '../../fs/types.js';

/** A file's bytes and times; several directory entries may name it (hard links). */
export class VirtFileNode {
  readonly kind = 'file';
  data = new Uint8Array(0);
  length = 0;
  mode: number;
  readonly created = new Date();
  modified = this.created;
  accessed = this.created;

  constructor(mode = 0o644) {
    this.mode = mode;
  }

  /**
   * Grow or shrink to `length` bytes; new bytes are zero. Spare capacity never exceeds
   * `limit` (the file size cap), so growth near the cap does not over-allocate.
   * @throws {RangeError} when memory for `length` bytes cannot be allocated.
   */
  resize(length: number, limit = length): void {
    if (length > this.data.length) {
      const spare = Math.min(this.data.length * 2, length + (64 << 20), limit);
      const grown = new Uint8Array(Math.max(length, spare));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    } else if (length < this.length) {
      this.data.fill(0, length, this.length);
    }
    this.length = length;
  }

  touch(): void {
    this.modified = new Date();
  }
}

/** A directory: named entries. */
export class VirtDirNode {
  readonly kind = 'dir';
  readonly entries = new Map<string, VirtNode>();
  mode: number;
  readonly created = new Date();
  modified = this.created;
  accessed = this.created;

  constructor(mode = 0o755) {
    this.mode = mode;
  }

  touch(): void {
    this.modified = new Date();
  }
}

export type VirtNode = VirtFileNode | VirtDirNode;

/** A parent directory and the last component of a path in it. */
export interface Slot {
  readonly dir: VirtDirNode;
  readonly name: string;
}

/** A path's components: `'/a/b'` → `['a', 'b']`; the root has none. */
function components(path: string): string[] {
  return posix
    .resolve('/', path)
    .split('/')
    .filter((part) => part !== '');
}

/**
 * The in-memory tree of {@link VirtFs}: path lookup with the errors a POSIX filesystem gives
 * (ENOENT for a missing component, ENOTDIR for a file in the middle of a path).
 */
export class VirtTree {
  readonly root = new VirtDirNode();

  /** The node at `path`. @throws {MfioError} ENOENT, ENOTDIR */
  lookup(path: string, syscall: string): VirtNode {
    let node: VirtNode = this.root;
    for (const part of components(path)) {
      if (node.kind !== 'dir') throw systemError('ENOTDIR', { syscall, path });
      const next: VirtNode | undefined = node.entries.get(part);
      if (next === undefined) throw systemError('ENOENT', { syscall, path });
      node = next;
    }
    return node;
  }

  /** The directory that holds `path`'s last component; null for the root. @throws {MfioError} ENOENT, ENOTDIR */
  slot(path: string, syscall: string): Slot | null {
    const parts = components(path);
    const name = parts.pop();
    if (name === undefined) return null;
    const dir = this.lookup('/' + parts.join('/'), syscall);
    if (dir.kind !== 'dir') throw systemError('ENOTDIR', { syscall, path });
    return { dir, name };
  }

  /** `slot`, where the root is refused with `rootCode` (EBUSY for removals, EEXIST for creation). */
  slotOrFail(path: string, syscall: string, rootCode: SystemErrorCode, dest?: string): Slot {
    const slot = this.slot(path, syscall);
    if (slot === null) throw systemError(rootCode, dest === undefined ? { syscall, path } : { syscall, path, dest });
    return slot;
  }
}

/** Metadata of a node: with copies of its times (callers may mutate what they get). */
export function metadataOf(node: VirtNode): Metadata {
  return {
    len: node.kind === 'file' ? node.length : 0,
    modified: new Date(node.modified.getTime()),
    accessed: new Date(node.accessed.getTime()),
    created: new Date(node.created.getTime()),
    permissions: { mode: node.mode, readOnly: (node.mode & 0o222) === 0 },
    type: node.kind,
  };
}

/** Is `inner` the same as or inside `outer` (both absolute, normalised)? */
export function isWithin(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer === '/' ? '/' : outer + '/');
}
