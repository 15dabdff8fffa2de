import { constants as bufferConstants } from 'node:buffer';
import { posix } from 'node:path';
import { MemoryBackend } from '@mfio/core';
import { systemError } from '../../errors.js';
import type { FsDriver, PathSyntax, RawFile } from '../../fs/driver.js';
import type { OpenFlags } from '../../fs/open-options.js';
import type { DirEntry, Metadata } from '../../fs/types.js';
import { VirtFile } from './virt-file.js';
import { isWithin, metadataOf, VirtDirNode, VirtFileNode, VirtTree } from './virt-tree.js';

/**
 * The {@link FsDriver} of {@link VirtFs}: a {@link VirtTree} with the error codes Linux gives
 * for the same operations. Permissions are kept but not enforced (as for root). Directory
 * operations complete on the next microtask; file I/O through a `MemoryBackend`.
 */
export class VirtDriver implements FsDriver {
  readonly backend: MemoryBackend;
  readonly paths: PathSyntax = posix;
  readonly cwd: string;
  readonly tree = new VirtTree();
  /** The largest length a file may reach (writes and setLen beyond it fail with EFBIG). */
  readonly maxFileSize: number;

  constructor(cwd = '/', backend: MemoryBackend = new MemoryBackend(), maxFileSize: number = bufferConstants.MAX_LENGTH) {
    this.cwd = posix.resolve('/', cwd);
    this.backend = backend;
    this.maxFileSize = maxFileSize;
  }

  async open(path: string, flags: OpenFlags): Promise<RawFile> {
    const slot = this.tree.slot(path, 'open');
    if (slot === null) throw systemError('EISDIR', { syscall: 'open', path });
    let node = slot.dir.entries.get(slot.name);
    if (node !== undefined && flags.createNew) throw systemError('EEXIST', { syscall: 'open', path });
    if (node === undefined) {
      if (!flags.create && !flags.createNew) throw systemError('ENOENT', { syscall: 'open', path });
      node = new VirtFileNode();
      slot.dir.entries.set(slot.name, node);
      slot.dir.touch();
    } else if (node.kind === 'dir') {
      throw systemError('EISDIR', { syscall: 'open', path });
    } else if (flags.truncate && node.length > 0) {
      node.resize(0);
      node.touch();
    }
    return new VirtFile(node, path, flags.append, this.backend, this.maxFileSize);
  }

  async metadata(path: string): Promise<Metadata> {
    return metadataOf(this.tree.lookup(path, 'stat'));
  }

  async *readDir(path: string): AsyncIterable<DirEntry> {
    const node = this.tree.lookup(path, 'scandir');
    if (node.kind !== 'dir') throw systemError('ENOTDIR', { syscall: 'scandir', path });
    node.accessed = new Date();
    // A snapshot, as getdents gives a consistent listing for small directories.
    const entries = [...node.entries].map(([name, child]): DirEntry => ({ name, type: child.kind }));
    for (const entry of entries) yield entry;
  }

  async createDir(path: string, recursive: boolean): Promise<void> {
    if (!recursive) {
      const slot = this.tree.slotOrFail(path, 'mkdir', 'EEXIST');
      if (slot.dir.entries.has(slot.name)) throw systemError('EEXIST', { syscall: 'mkdir', path });
      slot.dir.entries.set(slot.name, new VirtDirNode());
      slot.dir.touch();
      return;
    }
    let dir = this.tree.root;
    const parts = path.split('/').filter((part) => part !== '');
    for (let i = 0; i < parts.length; i++) {
      const child = dir.entries.get(parts[i]!);
      if (child === undefined) {
        const created = new VirtDirNode();
        dir.entries.set(parts[i]!, created);
        dir.touch();
        dir = created;
      } else if (child.kind === 'dir') {
        dir = child;
      } else {
        // A file as the last component already exists; in the middle it is not a directory.
        throw systemError(i === parts.length - 1 ? 'EEXIST' : 'ENOTDIR', { syscall: 'mkdir', path });
      }
    }
  }

  async removeDir(path: string): Promise<void> {
    const slot = this.tree.slotOrFail(path, 'rmdir', 'EBUSY');
    const node = slot.dir.entries.get(slot.name);
    if (node === undefined) throw systemError('ENOENT', { syscall: 'rmdir', path });
    if (node.kind !== 'dir') throw systemError('ENOTDIR', { syscall: 'rmdir', path });
    if (node.entries.size > 0) throw systemError('ENOTEMPTY', { syscall: 'rmdir', path });
    slot.dir.entries.delete(slot.name);
    slot.dir.touch();
  }

  async removeDirAll(path: string): Promise<void> {
    const slot = this.tree.slotOrFail(path, 'rm', 'EBUSY');
    const node = slot.dir.entries.get(slot.name);
    if (node === undefined) throw systemError('ENOENT', { syscall: 'rm', path });
    if (node.kind !== 'dir') throw systemError('ENOTDIR', { syscall: 'rm', path });
    slot.dir.entries.delete(slot.name);
    slot.dir.touch();
  }

  async removeFile(path: string): Promise<void> {
    const slot = this.tree.slotOrFail(path, 'unlink', 'EISDIR');
    const node = slot.dir.entries.get(slot.name);
    if (node === undefined) throw systemError('ENOENT', { syscall: 'unlink', path });
    if (node.kind === 'dir') throw systemError('EISDIR', { syscall: 'unlink', path });
    slot.dir.entries.delete(slot.name);
    slot.dir.touch();
  }

  async rename(from: string, to: string): Promise<void> {
    const context = { syscall: 'rename', path: from, dest: to };
    const source = this.tree.slotOrFail(from, 'rename', 'EBUSY', to);
    const node = source.dir.entries.get(source.name);
    if (node === undefined) throw systemError('ENOENT', context);
    const target = this.tree.slot(to, 'rename');
    if (target === null) throw systemError(node.kind === 'dir' ? 'EBUSY' : 'EISDIR', context);
    const existing = target.dir.entries.get(target.name);
    if (existing === node) return; // the same file: POSIX says do nothing
    if (node.kind === 'dir' && isWithin(from, to)) throw systemError('EINVAL', context);
    if (existing !== undefined) {
      if (node.kind === 'file' && existing.kind === 'dir') throw systemError('EISDIR', context);
      if (node.kind === 'dir' && existing.kind === 'file') throw systemError('ENOTDIR', context);
      if (existing.kind === 'dir' && existing.entries.size > 0) throw systemError('ENOTEMPTY', context);
    }
    source.dir.entries.delete(source.name);
    target.dir.entries.set(target.name, node);
    source.dir.touch();
    target.dir.touch();
  }

  async copy(from: string, to: string): Promise<void> {
    const context = { syscall: 'copyfile', path: from, dest: to };
    const node = this.tree.lookup(from, 'copyfile');
    if (node.kind === 'dir') throw systemError('EISDIR', context);
    const target = this.tree.slot(to, 'copyfile');
    if (target === null) throw systemError('EISDIR', context);
    let dest = target.dir.entries.get(target.name);
    if (dest?.kind === 'dir') throw systemError('EISDIR', context);
    if (dest === node) return;
    if (dest === undefined) {
      dest = new VirtFileNode(node.mode);
      target.dir.entries.set(target.name, dest);
      target.dir.touch();
    }
    // Like copyfile(3): the destination's inode is truncated and rewritten, links see it.
    dest.resize(0);
    dest.resize(node.length);
    dest.data.set(node.data.subarray(0, node.length));
    dest.mode = node.mode;
    dest.touch();
  }

  async hardLink(from: string, to: string): Promise<void> {
    const context = { syscall: 'link', path: from, dest: to };
    const node = this.tree.lookup(from, 'link');
    if (node.kind === 'dir') throw systemError('EPERM', context);
    const target = this.tree.slotOrFail(to, 'link', 'EEXIST', to);
    if (target.dir.entries.has(target.name)) throw systemError('EEXIST', context);
    target.dir.entries.set(target.name, node);
    target.dir.touch();
  }

  async setPermissions(path: string, mode: number): Promise<void> {
    this.tree.lookup(path, 'chmod').mode = mode & 0o7777;
  }
}
