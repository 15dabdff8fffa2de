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

  constructor(node: VirtFileNode, path: string, append: boolean, backend: MemoryBackend) {
    this.#node = node;
    this.#path = path;
    this.#append = append;
    this.#backend = backend;
  }

  sendIo(position: number, view: PacketView): void {
    this.#inFlight++;
    this.#backend.schedule([
      () => {
        this.#perform(position, view);
        if (--this.#inFlight === 0 && this.#onIdle !== null) this.#onIdle();
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
      if (end > node.length) node.resize(end);
      node.data.set(bytes.subarray(view.start, view.end), at);
      if (view.length > 0) node.touch();
      view.complete();
    }
  }

  metadata(): Promise<Metadata> {
    return Promise.resolve(metadataOf(this.#node));
  }

  setLen(length: number): Promise<void> {
    this.#node.resize(length);
    this.#node.touch();
    return Promise.resolve();
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
  }
}
