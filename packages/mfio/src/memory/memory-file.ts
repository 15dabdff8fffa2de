import { asyncDispose } from '../dispose.js';
import { MfioError, outOfRange } from '../errors.js';
import type { PacketView } from '../packet.js';
import { PositionalIo } from '../positional-io.js';
import { MemoryBackend } from './memory-backend.js';

/** Options of {@link MemoryFile}. */
export interface MemoryFileOptions {
  /** The backend that completes this file's I/O (default: a new one with default options). */
  backend?: MemoryBackend;
  /** Writes fail with EBADF, as on a file opened read-only. */
  readOnly?: boolean;
}

/**
 * A growable byte store that is a `PacketIo` at positions: reads past the end are short, writes
 * past the end extend it (with zeros in any gap), as with a file. Completions come from its
 * {@link MemoryBackend}, asynchronously.
 * @example
 * const file = new MemoryFile();
 * await file.writeAllAt(0, 'hello');
 * (await file.readAt(0, 5)).toString(); // 'hello'
 */
export class MemoryFile extends PositionalIo {
  readonly backend: MemoryBackend;
  /** Writes fail with EBADF. */
  readonly readOnly: boolean;
  #data: Uint8Array;
  #length: number;
  #closed = false;
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(initial: Uint8Array | number = 0, options: MemoryFileOptions = {}) {
    super();
    this.backend = options.backend ?? new MemoryBackend();
    this.readOnly = options.readOnly ?? false;
    if (typeof initial === 'number') {
      this.#data = new Uint8Array(initial);
      this.#length = initial;
    } else {
      this.#data = Uint8Array.from(initial);
      this.#length = initial.length;
    }
  }

  /** Current length in bytes. */
  get length(): number {
    return this.#length;
  }

  /** True once `close()` was called: later I/O fails with EBADF. */
  get closed(): boolean {
    return this.#closed;
  }

  /** A copy of the contents. */
  bytes(): Buffer {
    return Buffer.from(this.#data.subarray(0, this.#length));
  }

  /** Truncate or extend (with zeros) to `length` bytes. */
  setLength(length: number): void {
    if (!Number.isSafeInteger(length) || length < 0) throw outOfRange('length', 'an integer >= 0', length);
    if (length > this.#length) this.#reserve(length);
    else this.#data.fill(0, length, this.#length);
    this.#length = length;
  }

  /** Stop accepting I/O (later requests fail with EBADF); resolves once in-flight I/O completes. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** `await using file = new MemoryFile()`: {@link close} at the end of the scope. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Run the I/O on the in-memory bytes, completed by {@link backend} (fragmented as its options say). */
  sendIo(position: number, view: PacketView): void {
    const syscall = view.direction === 'read' ? 'read' : 'write';
    if (this.#closed || (view.direction === 'write' && this.readOnly)) {
      const error = MfioError.fromCode('EBADF', { syscall, position });
      this.backend.schedule([() => view.fail(error)]);
      return;
    }
    const fragments = this.backend.fragment(view);
    this.#inFlight += fragments.length;
    this.backend.schedule(
      fragments.map((fragment) => () => {
        try {
          this.#perform(position + (fragment.start - view.start), fragment);
        } finally {
          if (--this.#inFlight === 0) this.#wakeIdle();
        }
      }),
    );
  }

  #perform(position: number, fragment: PacketView): void {
    this.backend.stats.completed++;
    if (fragment.packet.cancelled) {
      this.backend.stats.cancelled++;
      fragment.fail(MfioError.fromCode('ECANCELED', { syscall: fragment.direction, position }));
      return;
    }
    let n: number;
    try {
      n = this.#move(position, fragment);
    } catch {
      // Growing past what memory allows: a file system would say the file is too large.
      fragment.fail(MfioError.fromCode('EFBIG', { syscall: fragment.direction, position }));
      return;
    }
    fragment.complete(n);
  }

  /** Copy between the store and the fragment; returns the bytes transferred. */
  #move(position: number, fragment: PacketView): number {
    const bytes = fragment.packet.buffer;
    if (fragment.direction === 'read') {
      const n = Math.max(0, Math.min(fragment.length, this.#length - position));
      if (n > 0) bytes.set(this.#data.subarray(position, position + n), fragment.start);
      return n;
    }
    const n = Math.min(fragment.length, this.backend.writeLimit);
    const end = position + n;
    if (end > this.#length) {
      this.#reserve(end);
      this.#length = end;
    }
    this.#data.set(bytes.subarray(fragment.start, fragment.start + n), position);
    return n;
  }

  #reserve(capacity: number): void {
    if (capacity <= this.#data.length) return;
    const grown = new Uint8Array(Math.max(capacity, this.#data.length * 2));
    grown.set(this.#data.subarray(0, this.#length));
    this.#data = grown;
  }

  #wakeIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
