import { MemoryBackend, type PacketView } from '@mfio/core';
import { systemError } from '../../errors.js';
import type { RawFile } from '../../fs/driver.js';
import type { Metadata } from '../../fs/types.js';
import { metadataOf, type VirtFileNode } from './virt-tree.js';

/**
 * An open {@link VirtFileNode}: I/O completes on the next loop turn through a `MemoryBackend`
 * (so the core's sync wrappers work on it), as an inode would, it survives rename and unlink.
 */
export class VirtFile implements RawFile {
  readonly #node: VirtFileNode;
  readonly #path: string;
  readonly #append: boolean;
  readonly #backend: MemoryBackend;
  #inFlight = 0;
  #onIdle: (() => void) | null = null;

  readonly #maxSize: number;

  /** `maxSize`: the largest length the file may reach; beyond it writes and setLen fail with EFBIG. */
  constructor(node: VirtFileNode, path: string, append: boolean, backend: MemoryBackend, maxSize: number) {
    this.#node = node;
    this.#path = path;
    this.#append = append;
    this.#backend = backend;
    this.#maxSize = maxSize;
  }

  sendIo(position: number, view: PacketView): void {
    this.#inFlight++;
    this.#backend.schedule([
      () => {
        try {
          this.#perform(position, view);
        } catch (error) {
          // Only allocation can throw here; an exception would escape the backend's loop turn
          // and kill the process (a netfs server's, when this is its root).
          view.fail(systemError('EFBIG', { syscall: view.direction, path: this.#path, position, cause: error }));
        } finally {
          if (--this.#inFlight === 0 && this.#onIdle !== null) this.#onIdle();
        }
      },
    ]);
  }

  #perform(position: number, view: PacketView): void {
    const node = this.#node;
    const bytes = view.packet.buffer;
    if (view.packet.cancelled) {
      view.fail(systemError('ECANCELED', { syscall: view.direction, path: this.#path, position }));
    } else if (view.direction === 'read') {
      const n = Math.max(0, Math.min(view.length, node.length - position));
      if (n > 0) bytes.set(node.data.subarray(position, position + n), view.start);
      node.accessed = new Date();
      view.complete(n);
    } else {
      // O_APPEND: the position is ignored, every write lands at the end.
      const at = this.#append ? node.length : position;
      const end = at + view.length;
      if (end > this.#maxSize) {
        view.fail(systemError('EFBIG', { syscall: 'write', path: this.#path, position: at }));
        return;
      }
      if (end > node.length) node.resize(end, this.#maxSize);
      node.data.set(bytes.subarray(view.start, view.end), at);
      if (view.length > 0) node.touch();
      view.complete();
    }
  }

  metadata(): Promise<Metadata> {
    return Promise.resolve(metadataOf(this.#node));
  }

  async setLen(length: number): Promise<void> {
    if (length > this.#maxSize) throw systemError('EFBIG', { syscall: 'ftruncate', path: this.#path });
    try {
      this.#node.resize(length, this.#maxSize);
    } catch (error) {
      throw systemError('EFBIG', { syscall: 'ftruncate', path: this.#path, cause: error });
    }
    this.#node.touch();
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  datasync(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
  }
}
