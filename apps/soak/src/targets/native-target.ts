import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NativeRt, type BackendName } from '@mfio/rt';
import { createFileOn } from './create-file.js';
import type { Connection, SoakTarget } from './target.js';

/** A native runtime (io_uring, threadpool) or libuv, on a directory of its own under `workDir`. */
export class NativeTarget implements SoakTarget {
  readonly name: string;
  readonly writable = true;
  readonly #backend: BackendName;
  readonly #dir: string;
  #rt: NativeRt | null = null;

  constructor(backend: BackendName, workDir: string) {
    this.name = backend;
    this.#backend = backend;
    this.#dir = join(workDir, backend);
  }

  async start(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    this.#rt = NativeRt.builder().enable(this.#backend).cwd(this.#dir).build();
  }

  connections(): readonly Connection[] {
    return this.#rt === null ? [] : [{ fs: this.#rt, generation: 0 }];
  }

  createFile(name: string, content: Uint8Array): Promise<void> {
    return createFileOn(this.#rt!, name, content);
  }

  async close(): Promise<void> {
    await this.#rt?.close();
  }
}
