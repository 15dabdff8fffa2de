import { MfioError, type PacketView, type ReadBatch } from '@mfio/core';
import type { Metadata, RawFile } from '@mfio/rt';
import { planRanges } from './coalesce.js';
import { RangeGet, type ReadTarget } from './range-get.js';
import type { S3Http } from './s3-http.js';

/** What a file handle pinned at open: the object's version and what HEAD said of it. */
export interface ObjectInfo {
  readonly size: number;
  readonly etag: string;
  readonly modified: Date | null;
}

/** The error of a read given up by its caller (the caller already has its ABORT_ERR). */
function cancelled(path: string): MfioError {
  return new MfioError('ECANCELED', `ECANCELED: read cancelled, read '${path}'`, { syscall: 'read', path });
}

/**
 * A view as a read target that reports its first bytes early: once `fragmentSize` bytes have
 * arrived past what was reported, that much is split off and completed, so a large read's
 * packet sees fragments complete while the rest is still on the wire.
 */
class ViewTarget implements ReadTarget {
  readonly position: number;
  readonly length: number;
  readonly buffer: Uint8Array;
  readonly offset: number;
  got = 0;
  #view: PacketView;
  #reported = 0;
  readonly #fragmentSize: number;

  constructor(view: PacketView, position: number, fragmentSize: number) {
    this.#view = view;
    this.position = position;
    this.length = view.length;
    this.buffer = view.packet.buffer;
    this.offset = view.start;
    this.#fragmentSize = fragmentSize;
  }

  progress(): void {
    const ready = this.got - this.#reported;
    if (ready < this.#fragmentSize) return;
    const [head, tail] = this.#view.splitAt(ready);
    this.#view = tail;
    this.#reported = this.got;
    head.complete();
  }

  complete(got: number): void {
    this.#view.complete(got - this.#reported);
  }

  fail(error: MfioError): void {
    this.#view.fail(error);
  }
}

/** Request `index` of a readMany batch as a read target. */
class BatchTarget implements ReadTarget {
  readonly position: number;
  readonly length: number;
  readonly buffer: Uint8Array;
  readonly offset: number;
  got = 0;
  readonly #batch: ReadBatch;
  readonly #index: number;

  constructor(batch: ReadBatch, index: number, length: number) {
    this.#batch = batch;
    this.#index = index;
    this.position = batch.positions[index]!;
    this.length = length;
    this.buffer = batch.buffer;
    this.offset = batch.offsets[index]!;
  }

  complete(got: number): void {
    this.#batch.complete(this.#index, got);
  }

  fail(error: MfioError): void {
    this.#batch.fail(this.#index, error, this.got);
  }
}

/**
 * An object open for reading: every read is a ranged GET with `If-Match` on the ETag seen at
 * open, so all reads of one handle see one version of the object (a replaced object fails them
 * with ESTALE). Reads past the end are short, without a request. A read longer than
 * `maxRangeSize` goes out as several GETs at once; a readMany batch is coalesced
 * ({@link planRanges}) into fewer GETs, each copying straight into the batch's buffer.
 */
export class S3ReadFile implements RawFile {
  readonly #http: S3Http;
  readonly #key: string;
  readonly #path: string;
  readonly #info: ObjectInfo;
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(http: S3Http, key: string, path: string, info: ObjectInfo) {
    this.#http = http;
    this.#key = key;
    this.#path = path;
    this.#info = info;
  }

  sendIo(position: number, view: PacketView): void {
    const size = this.#info.size;
    if (position >= size || view.length === 0) {
      this.#later(() => view.complete(0));
      return;
    }
    let rest = view;
    if (position + rest.length > size) {
      const [head, tail] = rest.splitAt(size - position);
      tail.complete(0); // past the end: the packet is short from here
      rest = head;
    }
    const { maxRangeSize, fragmentSize } = this.#http.options;
    let at = position;
    while (rest.length > maxRangeSize) {
      const [head, tail] = rest.splitAt(maxRangeSize);
      this.#get(at, [new ViewTarget(head, at, fragmentSize)], view);
      at += maxRangeSize;
      rest = tail;
    }
    this.#get(at, [new ViewTarget(rest, at, fragmentSize)], view);
  }

  readBatch(batch: ReadBatch): void {
    const size = this.#info.size;
    const count = batch.count;
    // Clamped to the object: a request past its end is short (0 bytes) without a GET.
    const lengths = new Float64Array(count);
    for (let i = 0; i < count; i++) lengths[i] = Math.max(0, Math.min(batch.lengths[i]!, size - batch.positions[i]!));
    const ranges = planRanges(batch.positions, lengths, this.#http.options.coalesce);
    const gets: RangeGet[] = [];
    for (const range of ranges) {
      const targets = range.members.map((i) => new BatchTarget(batch, i, lengths[i]!));
      gets.push(this.#start(range.start, range.end, targets));
    }
    if (gets.length > 0) batch.onCancel(() => gets.forEach((get) => get.cancel(cancelled(this.#path))));
    // Empty requests: reported after the GETs are out, never inside readBatch's caller's loop.
    const empty: number[] = [];
    for (let i = 0; i < count; i++) if (lengths[i] === 0) empty.push(i);
    if (empty.length > 0) this.#later(() => empty.forEach((i) => batch.complete(i, 0)));
  }

  #get(at: number, targets: ViewTarget[], packetView: PacketView): void {
    const get = this.#start(at, at + targets[0]!.length, targets);
    packetView.packet.onCancel(() => get.cancel(cancelled(this.#path)));
  }

  #start(start: number, end: number, targets: ReadTarget[]): RangeGet {
    this.#inFlight++;
    const get = new RangeGet(this.#http, this.#key, this.#info.etag, { syscall: 'read', path: this.#path }, start, end, targets, () => {
      if (--this.#inFlight === 0) this.#wake();
    });
    get.start();
    return get;
  }

  /** Run `report` on a microtask, counted as in flight until then (close waits for it). */
  #later(report: () => void): void {
    this.#inFlight++;
    queueMicrotask(() => {
      report();
      if (--this.#inFlight === 0) this.#wake();
    });
  }

  async metadata(): Promise<Metadata> {
    return objectMetadata(this.#info);
  }

  async setLen(): Promise<void> {
    throw new MfioError('EINVAL', `EINVAL: invalid argument, ftruncate '${this.#path}' (S3 objects open for reading cannot change)`, {
      syscall: 'ftruncate',
      path: this.#path,
    });
  }

  async sync(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #wake(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}

/** An object's metadata as the Fs reports it: a regular file, 0o644, modified at its Last-Modified. */
export function objectMetadata(info: { size: number; modified: Date | null }): Metadata {
  return {
    len: info.size,
    modified: info.modified === null ? null : new Date(info.modified.getTime()),
    accessed: null,
    created: null,
    permissions: { mode: 0o644, readOnly: false },
    type: 'file',
  };
}
