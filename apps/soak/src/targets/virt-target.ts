import { MemoryBackend } from '@mfio/core';
import { VirtFs } from '@mfio/rt';
import { createFileOn } from './create-file.js';
import type { Connection, SoakTarget } from './target.js';

/**
 * The in-memory VirtFs, on a memory backend that splits every request into up to 4 fragments
 * and completes them out of order, as a real backend may: aborted and partial requests then
 * leave partly written ranges, which the model must account for.
 */
export class VirtTarget implements SoakTarget {
  readonly name = 'virt';
  readonly writable = true;
  readonly #fs: VirtFs;

  constructor(seed: number) {
    this.#fs = new VirtFs({ backend: new MemoryBackend({ maxFragments: 4, shuffle: true, seed }) });
  }

  async start(): Promise<void> {}

  connections(): readonly Connection[] {
    return [{ fs: this.#fs, generation: 0 }];
  }

  createFile(name: string, content: Uint8Array): Promise<void> {
    return createFileOn(this.#fs, name, content);
  }

  async close(): Promise<void> {
    await this.#fs.close();
  }
}
