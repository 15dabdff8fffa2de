import { MfioError, type InFlightRequest, type IoBackend, type Packet } from '@mfio/core';
import type { NativeExecutor, NativeExecutorClass } from '../../native/addon.js';
import type { DeliveryPath } from '../delivery.js';
import { CommandBuilder, type CommandSink, type Pending } from './command-builder.js';
import {
  F_ARG,
  F_BUF,
  F_BUF_OFFSET,
  F_FD,
  F_FLAGS,
  F_LEN,
  F_OP,
  F_USER_DATA,
  IORING_ASYNC_CANCEL_ANY,
  IOSQE_IO_LINK,
  OP_NAMES,
  Op,
  SECOND_BUFFER_OPS,
  STRIDE,
} from './commands.js';
import { EBADF, ECANCELED } from './errno.js';

// user_data = slot | generation << 20: a cancel aimed at a finished request cannot hit the
// request that reused its slot. Kept below 2^31 so it survives the Int32Array round trip.
const SLOT_BITS = 20;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const GENERATION_MASK = (1 << 11) - 1;
/** The Pending of requests whose result nobody needs (cancels). */
const IGNORED: Pending = { userData: 0, complete() {} };
const COMPLETION_PAIRS = 1024;
/**
 * While requests wait on a device, this many queued in one turn are handed to the executor at once
 * rather than at the turn's end: 64 reads resubmitted as their completions are settled reach the
 * device in four groups, the first while JS still settles the rest. Measured here: random 4 KiB
 * O_DIRECT reads, 64 in flight, io_uring: 63k/s submitting at the turn's end, 69-73k/s with 16.
 * Page-cache reads complete within their enter, where one enter per turn is what counts (527k/s
 * against 507k/s with 16): hence only while requests wait on a device, below.
 */
const EAGER_SUBMIT = 16;
/**
 * A request that completed this long after it was queued waited on a device (milliseconds): a
 * page-cache read at 64 in flight takes a tenth of that, a disk read several times it.
 */
const DEVICE_WAIT_MS = 0.5;

/**
 * Requests written only when there is room for them (a readMany batch): the queue pulls from a
 * source after its own queued commands, so a huge batch neither fills memory with commands
 * nor holds back requests made after it.
 */
export interface RequestSource {
  /** Put up to `room` requests (with `queue.cmd.readOfBatch`); false once none are left. */
  fill(room: number): boolean;
  /** The queue is closing: complete every request not enqueued yet with `res`. */
  abandon(res: number): void;
}

/**
 * The engine of the native backends, whatever executes the requests (an io_uring ring, a thread
 * pool). Requests queued during a tick cross to native code in one call from a microtask (for
 * io_uring: one io_uring_enter); completions come back through one callback per drain, on Node's
 * own loop. Every request's buffer stays reachable from the slot table until its completion
 * arrives, whatever the caller did meanwhile.
 *
 * No more requests are handed over than the executor can hold (for io_uring: its completion
 * queue, so completions never overflow); the rest wait here and go as completions make room.
 */
export class NativeQueue implements IoBackend, CommandSink {
  readonly name: string;
  readonly #executor: NativeExecutor;
  readonly #completions = new Int32Array(2 * COMPLETION_PAIRS);
  readonly #limit: number;
  readonly #fd: number;
  #commands = new Float64Array(STRIDE * 256);
  /** Queued commands are #commands[#head, #head + #queued): submitted ones leave from the head. */
  #head = 0;
  #queued = 0;
  #buffers: Uint8Array[] = [];
  #lastBuffer: Uint8Array | null = null;
  #slots: Array<Pending | undefined> = [];
  /** Which of its Pending's requests a slot holds (a batch's index), else 0. */
  #indices: number[] = [];
  #generations: number[] = [];
  /** Each live slot's op and when it was queued (for describeInFlight only). */
  #slotOps: number[] = [];
  #slotSince: number[] = [];
  /** When the current tick's batch started (one clock read per batch, not per request). */
  #clock = performance.now();
  /** Per slot: the user_data a cancel was written for, until that request completes (else 0). */
  #cancelTargets: number[] = [];
  #free: number[] = [];
  #inKernel = 0;
  /** Cancels at the head of the queue: they go regardless of room (they make room, never wait for it). */
  #urgent = 0;
  #active = false;
  #flushScheduled = false;
  /** In #flush: commands a source writes meanwhile wait for its next round, never re-enter it. */
  #flushing = false;
  /** The last delivery's first request waited on a device: submit in groups (EAGER_SUBMIT). */
  #eager = false;
  /** No new requests once close() started; the executor itself is released at its end. */
  #closing = false;
  #released = false;
  #idle: Array<() => void> = [];
  /** Completions kept back by {@link holdCompletions}, as (user_data, res) pairs. */
  #held: number[] | null = null;
  #sources: RequestSource[] = [];
  /** Per slot: the buffers its command names, referenced until its completion. */
  #slotBuffers: Array<Uint8Array | null> = [];
  #slotSeconds: Array<Uint8Array | null> = [];
  /** The typed builders of every command this queue runs. */
  readonly cmd = new CommandBuilder(this);
  readonly #flushTask = (): void => this.#flush();

  /**
   * @param name the backend's name (`'io_uring'`, `'threadpool'`).
   * @param Executor the native class; `size` is its ring entries or threads.
   * @param delivery how the executor wakes the JS thread (backends/delivery.ts).
   * @param asyncHooks whether the host has async_hooks (Node) for the callbacks' async context.
   * @throws whatever the executor's constructor throws (io_uring_setup's errno, for one).
   */
  constructor(name: string, Executor: NativeExecutorClass, size: number, delivery: DeliveryPath = 'uv', asyncHooks = true) {
    this.name = name;
    this.#executor = new Executor(size, this.#completions, (count) => this.#deliver(count), delivery, asyncHooks);
    const info = this.#executor.info();
    this.#limit = info.capacity;
    this.#fd = info.fd;
  }

  /** The fd Node's loop polls for completions (the ring's), or null. */
  pollHandle(): number | null {
    return this.#fd >= 0 ? this.#fd : null;
  }

  /** Requests queued here or in the kernel, not yet completed (sources' unwritten ones aside). */
  get pending(): number {
    return this.#inKernel + this.#queued;
  }

  /** Pull requests from `source` as room allows, until its `fill` returns false. */
  addSource(source: RequestSource): void {
    if (this.#closing) {
      source.abandon(-EBADF);
      return;
    }
    this.#sources.push(source);
    this.#scheduleFlush();
  }

  /** Stop pulling from `source` (its requests already enqueued stay). */
  removeSource(source: RequestSource): void {
    const i = this.#sources.indexOf(source);
    if (i >= 0) this.#sources.splice(i, 1);
  }

  /**
   * Queue one command; use the builders of {@link cmd}, whose signatures say what each slot
   * means. `buffer` (with `offset`/`len`) is the memory the kernel reads or writes; `second`, if
   * given, is a second buffer whose index becomes `arg` (a statx output, a second path). `index`
   * says which of `pending`'s requests this is (a readMany batch shares one Pending). Both buffers
   * stay referenced from the slot until `pending.complete` runs, whatever the caller does.
   */
  put(
    op: Op,
    pending: Pending,
    index: number,
    fd: number,
    buffer: Uint8Array | null,
    offset: number,
    len: number,
    arg: number,
    flags: number,
    second: Uint8Array | null,
  ): void {
    if (this.#closing) {
      pending.complete(-EBADF, index); // the runtime is closed
      return;
    }
    const userData = this.#allocate(pending, index);
    const slot = userData & SLOT_MASK;
    this.#slotBuffers[slot] = buffer;
    this.#slotSeconds[slot] = second;
    if (second !== null) {
      this.#buffers.push(second);
      this.#lastBuffer = second;
      arg = this.#buffers.length - 1;
    }
    this.#write(op, userData, fd, buffer, offset, len, arg, flags);
  }

  /**
   * Cancel a request: still queued here, it completes now with ECANCELED; in the kernel, the
   * kernel is asked to cancel it and it completes when the kernel lets go of its buffer.
   */
  cancel(pending: Pending): void {
    const slot = pending.userData & SLOT_MASK;
    if (this.#closing || this.#slots[slot] !== pending) return; // already completed
    // One request: still queued here, or in the kernel (no scan of the slot table for it).
    if (!this.#dropQueued(pending)) this.#writeCancel(pending.userData, 0);
  }

  /**
   * Cancel every request of `pending` (a batch sharing one Pending): those still queued here never reach the
   * kernel (they become NOPs and complete now with ECANCELED); those in the kernel are asked to
   * cancel and complete when the kernel lets go of their buffers.
   */
  cancelMany(pending: Pending): void {
    if (this.#closing) return; // close() cancels everything
    this.#dropQueued(pending);
    // What is left of `pending` in the slot table is in the kernel.
    const inKernel: number[] = [];
    for (let slot = 0; slot < this.#slots.length; slot++) {
      if (this.#slots[slot] === pending) inKernel.push(slot | (this.#generations[slot]! << SLOT_BITS));
    }
    for (const userData of inKernel) this.#writeCancel(userData, 0);
  }

  /**
   * Turn the commands of `pending` still queued here into NOPs (they never reach the kernel) and
   * complete them now with ECANCELED. Returns whether there were any.
   */
  #dropQueued(pending: Pending): boolean {
    const c = this.#commands;
    let dropped = false;
    // A handler that queues a request here must not flush the commands this loop walks.
    const outer = this.#flushing;
    this.#flushing = true;
    try {
      for (let k = this.#head; k < this.#head + this.#queued; k++) {
        const i = k * STRIDE;
        const userData = c[i + F_USER_DATA]!;
        if (this.#slots[userData & SLOT_MASK] !== pending || c[i + F_OP] === Op.Nop) continue;
        c[i + F_OP] = Op.Nop; // completes later as a stale user_data, ignored
        c[i + F_BUF] = -1;
        c[i + F_LEN] = 0;
        this.#complete(userData, -ECANCELED);
        dropped = true;
      }
    } finally {
      this.#flushing = outer;
    }
    return dropped;
  }

  /**
   * Every request queued here or handed to the executor and not completed, oldest first (for a
   * hang detector or a stuck close; it walks the slot table, so not for a hot path).
   */
  describeInFlight(): InFlightRequest[] {
    const queued = new Set<number>();
    for (let k = this.#head; k < this.#head + this.#queued; k++) queued.add(this.#commands[k * STRIDE + F_USER_DATA]!);
    const now = performance.now();
    const requests: InFlightRequest[] = [];
    for (let slot = 0; slot < this.#slots.length; slot++) {
      if (this.#slots[slot] === undefined) continue;
      const userData = slot | (this.#generations[slot]! << SLOT_BITS);
      const state = queued.has(userData) ? 'queued' : this.#closing || this.#cancelTargets[slot] === userData ? 'cancelling' : 'submitted';
      const op = OP_NAMES[this.#slotOps[slot]!] ?? `op ${this.#slotOps[slot]}`;
      requests.push({ op, state, ageMs: Math.round(now - this.#slotSince[slot]!), id: slot });
    }
    return requests.sort((a, b) => b.ageMs - a.ageMs);
  }

  /** Run completions on this thread until `packet` settles (the sync wrappers). */
  blockOn(packet: Packet): void {
    if (this.#held !== null) throw new MfioError('ERR_MFIO_DEADLOCK', 'Completions are held (holdCompletions): a sync call would wait forever');
    while (!packet.settled) {
      this.#flush();
      if (this.#inKernel === 0) {
        throw new MfioError('ERR_MFIO_DEADLOCK', 'The packet has fragments that no request in flight will finish');
      }
      this.#deliver(this.#executor.wait(1));
    }
  }

  /**
   * Cancel everything, wait until the kernel has let go of every buffer, release the executor.
   * Requests still queued here never reach the kernel: they complete with ECANCELED.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const sources = this.#sources;
    this.#sources = [];
    for (const source of sources) source.abandon(-ECANCELED);
    const queued = this.#takeQueued();
    for (let i = 0; i < queued.length; i += STRIDE) this.#complete(queued[i + F_USER_DATA]!, -ECANCELED);
    if (this.#inKernel > 0) {
      this.#writeCancel(0, IORING_ASYNC_CANCEL_ANY);
      this.#flush();
      await new Promise<void>((resolve) => this.#idle.push(resolve));
    }
    this.#released = true;
    this.#executor.close();
  }

  /** Give request `index` of `pending` a slot; returns its user_data, slot | generation. */
  #allocate(pending: Pending, index: number): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#slots.length;
      this.#generations.push(0);
      this.#indices.push(0);
    }
    const generation = (this.#generations[slot]! + 1) & GENERATION_MASK;
    this.#generations[slot] = generation;
    this.#slots[slot] = pending;
    this.#indices[slot] = index;
    const userData = slot | (generation << SLOT_BITS);
    pending.userData = userData;
    return userData;
  }

  #write(op: Op, userData: number, fd: number, buffer: Uint8Array | null, offset: number, len: number, arg: number, flags: number): void {
    if ((this.#head + this.#queued + 1) * STRIDE > this.#commands.length) this.#makeRoom();
    let bufferIndex = -1;
    if (buffer !== null) {
      // Batches often send many requests into one buffer (readMany): name it once.
      if (buffer !== this.#lastBuffer) {
        this.#buffers.push(buffer);
        this.#lastBuffer = buffer;
      }
      bufferIndex = this.#buffers.length - 1;
    }
    const c = this.#commands;
    const i = (this.#head + this.#queued) * STRIDE;
    c[i + F_OP] = op;
    c[i + F_USER_DATA] = userData;
    c[i + F_FD] = fd;
    c[i + F_BUF] = bufferIndex;
    c[i + F_BUF_OFFSET] = offset;
    c[i + F_LEN] = len;
    c[i + F_ARG] = arg;
    c[i + F_FLAGS] = flags;
    this.#queued++;
    const slot = userData & SLOT_MASK;
    this.#slotOps[slot] = op;
    this.#slotSince[slot] = this.#now();
    // Not a write linked to the fsync that follows it: split from it, the kernel would run them
    // unlinked.
    const linked = op === Op.Write && (flags & IOSQE_IO_LINK) !== 0;
    if (this.#eager && this.#queued >= EAGER_SUBMIT && !this.#flushing && !linked) this.#flush();
    else this.#scheduleFlush();
  }

  /**
   * A cancel goes before everything queued, and even when the executor is full: requests that
   * wait for a peer may fill it for good (idle connections), and only a cancel frees them.
   */
  #writeCancel(target: number, flags: number): void {
    if (this.#head === 0) {
      if ((this.#queued + 1) * STRIDE > this.#commands.length) this.#makeRoom();
      this.#commands.copyWithin(STRIDE, 0, this.#queued * STRIDE);
    } else {
      this.#head--;
    }
    if (target !== 0) this.#cancelTargets[target & SLOT_MASK] = target;
    const userData = this.#allocate(IGNORED, 0);
    this.#slotOps[userData & SLOT_MASK] = Op.Cancel;
    this.#slotSince[userData & SLOT_MASK] = this.#now();
    const c = this.#commands;
    const i = this.#head * STRIDE;
    c[i + F_OP] = Op.Cancel;
    c[i + F_USER_DATA] = userData;
    c[i + F_FD] = -1;
    c[i + F_BUF] = -1;
    c[i + F_BUF_OFFSET] = 0;
    c[i + F_LEN] = 0;
    c[i + F_ARG] = target;
    c[i + F_FLAGS] = flags;
    this.#queued++;
    this.#urgent++;
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flushTask);
    }
  }

  /**
   * When a command was queued, as the queue counts it: read once a turn (every command queued
   * before the turn's flush gets the same time) and once a flush.
   */
  #now(): number {
    if (!this.#flushScheduled && !this.#flushing) this.#clock = performance.now();
    return this.#clock;
  }

  /** Pull from the sources until the executor's room is spoken for. */
  #pull(): void {
    let room = this.#limit - this.#inKernel - this.#queued;
    while (room > 0 && this.#sources.length > 0) {
      const source = this.#sources[0]!;
      if (!source.fill(room)) this.removeSource(source);
      room = this.#limit - this.#inKernel - this.#queued;
    }
  }

  /** One native call: as many queued commands as the kernel has room for. */
  #flush(): void {
    this.#flushScheduled = false;
    // The executor may take fewer than offered: an io_uring takes what fits in its submission
    // ring (256 entries) and frees it by the enter. Offer the rest again while it takes some:
    // otherwise requests beyond the ring wait for a completion, which for reads on idle sockets
    // may never come (1,023 idle recvs left 775 of them here, unsubmitted, for good).
    const outer = this.#flushing;
    this.#flushing = true;
    this.#clock = performance.now();
    try {
      while (this.#submitSome());
    } finally {
      this.#flushing = outer;
    }
  }

  /** One native call; true when the executor took some but not all it was offered. */
  #submitSome(): boolean {
    if (this.#released) return false;
    if (this.#sources.length > 0) this.#pull();
    if (this.#queued === 0) return false;
    // Completions will make room and flush again; cancels at the head go anyway.
    let count = Math.min(this.#queued, Math.max(this.#limit - this.#inKernel, this.#urgent));
    if (count <= 0) return false;
    const head = this.#head;
    // A write linked to the fsync after it is offered with it (one request over the limit at
    // most; the CQ has room for twice the limit): split, the kernel would run them unlinked.
    const last = (head + count - 1) * STRIDE;
    if (count < this.#queued && this.#commands[last + F_OP] === Op.Write && (this.#commands[last + F_FLAGS]! & IOSQE_IO_LINK) !== 0) count++;
    let consumed: number;
    const commands = head === 0 ? this.#commands : this.#commands.subarray(head * STRIDE);
    try {
      consumed = this.#executor.submit(commands, count, this.#buffers);
    } catch (error) {
      this.#failQueued(error);
      return false;
    }
    this.#inKernel += consumed;
    this.#urgent = Math.max(0, this.#urgent - consumed);
    if (!this.#active && this.#inKernel > 0) {
      this.#active = true;
      this.#executor.setActive(true);
    }
    if (consumed === this.#queued) {
      this.#head = 0;
      this.#queued = 0;
      this.#buffers = [];
      this.#lastBuffer = null;
    } else {
      // The rest wait for room where they are (moving them each time would make a large batch
      // quadratic); buffer indices stay valid because #buffers is kept.
      this.#head += consumed;
      this.#queued -= consumed;
      // Under sustained load the queue may never empty: drop the buffers only submitted
      // commands named, so finished requests' buffers do not pile up here.
      if (this.#buffers.length > 2 * this.#queued + 64) this.#compactBuffers();
    }
    return consumed > 0 && consumed < count;
  }

  /** Keep only the buffers that waiting commands name, renumbering their indices. */
  #compactBuffers(): void {
    const c = this.#commands;
    const kept: Uint8Array[] = [];
    const renumbered = new Map<number, number>();
    for (let k = this.#head; k < this.#head + this.#queued; k++) {
      const i = k * STRIDE;
      for (const field of [F_BUF, F_ARG]) {
        // F_ARG names a buffer only for commands that carry a second one (statx, two paths).
        if (field === F_ARG && !SECOND_BUFFER_OPS.has(c[i + F_OP]!)) continue;
        const old = c[i + field]!;
        if (old < 0) continue;
        let index = renumbered.get(old);
        if (index === undefined) {
          index = kept.push(this.#buffers[old]!) - 1;
          renumbered.set(old, index);
        }
        c[i + field] = index;
      }
    }
    this.#buffers = kept;
    this.#lastBuffer = kept.length > 0 && kept[kept.length - 1] === this.#lastBuffer ? this.#lastBuffer : null;
  }

  /** Room for one more command: reuse the submitted head if it is at least half, else grow. */
  #makeRoom(): void {
    const used = this.#queued * STRIDE;
    const from = this.#head * STRIDE;
    if (this.#head >= this.#queued) {
      this.#commands.copyWithin(0, from, from + used);
    } else {
      const grown = new Float64Array(this.#commands.length * 2);
      grown.set(this.#commands.subarray(from, from + used));
      this.#commands = grown;
    }
    this.#head = 0;
  }

  /** Remove every queued command (they never reach the executor); returns a copy of them. */
  #takeQueued(): Float64Array {
    const queued = this.#commands.slice(this.#head * STRIDE, (this.#head + this.#queued) * STRIDE);
    this.#head = 0;
    this.#queued = 0;
    this.#urgent = 0;
    this.#buffers = [];
    this.#lastBuffer = null;
    return queued;
  }

  /**
   * @internal Tests: keep completions drained from now on instead of delivering them, until
   * `release()` delivers them in order: what a busy event loop does to a completion already
   * posted, made deterministic (the reset-during-a-short-send race, for one).
   */
  holdCompletions(): { readonly held: () => number; readonly release: () => void } {
    const held: number[] = [];
    this.#held = held;
    return {
      held: () => held.length / 2,
      release: () => {
        if (this.#held === held) this.#held = null;
        if (held.length > 0) this.#settle(Int32Array.from(held), held.length / 2);
      },
    };
  }

  /** Completions drained by the addon: (user_data, res) pairs. */
  #deliver(count: number): void {
    if (this.#held !== null) {
      for (let i = 0; i < 2 * count; i++) this.#held.push(this.#completions[i]!);
      return;
    }
    this.#settle(this.#completions, count);
  }

  #settle(c: Int32Array, count: number): void {
    this.#inKernel -= count;
    if (count > 0) this.#noteDeviceWait(c, count);
    for (let i = 0; i < 2 * count; i += 2) this.#complete(c[i]!, c[i + 1]!);
    if (this.#queued > 0 || this.#sources.length > 0) this.#flush();
    if (this.#inKernel === 0 && this.#queued === 0) {
      if (this.#active) {
        this.#active = false;
        this.#executor.setActive(false);
      }
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  /**
   * Whether the delivery's first read or write waited on a device: one clock read a delivery.
   * Other operations say nothing of it (a recv waits for a peer, an fsync always takes long).
   */
  #noteDeviceWait(c: Int32Array, count: number): void {
    for (let i = 0; i < 2 * count; i += 2) {
      const userData = c[i]!;
      const slot = userData & SLOT_MASK;
      if (this.#slots[slot] === undefined || this.#generations[slot] !== userData >>> SLOT_BITS) continue;
      const op = this.#slotOps[slot];
      if (op !== Op.Read && op !== Op.Write) continue;
      this.#eager = performance.now() - this.#slotSince[slot]! > DEVICE_WAIT_MS;
      return;
    }
  }

  /** Successful completions by op, since the queue started (see {@link describeCompleted}). */
  readonly #succeeded = new Float64Array(OP_NAMES.length);

  /** Requests that completed with success, by operation name (ops that never did are left out). */
  describeCompleted(): Record<string, number> {
    const out: Record<string, number> = {};
    this.#succeeded.forEach((count, op) => {
      if (count > 0) out[OP_NAMES[op]!] = count;
    });
    return out;
  }

  /** Free the slot of `userData` and tell its request `res` (nothing if stale). */
  #complete(userData: number, res: number): void {
    const slot = userData & SLOT_MASK;
    const pending = this.#slots[slot];
    if (pending === undefined || this.#generations[slot] !== userData >>> SLOT_BITS) return;
    if (res >= 0) this.#succeeded[this.#slotOps[slot]!]!++;
    this.#slots[slot] = undefined;
    this.#slotBuffers[slot] = null;
    this.#slotSeconds[slot] = null;
    this.#free.push(slot);
    if (this.#cancelTargets[slot]) this.#cancelTargets[slot] = 0;
    pending.complete(res, this.#indices[slot]!);
  }

  #failQueued(error: unknown): void {
    const errno = typeof (error as { errno?: unknown }).errno === 'number' ? (error as { errno: number }).errno : -5;
    const queued = this.#takeQueued();
    for (let i = 0; i < queued.length; i += STRIDE) this.#complete(queued[i + F_USER_DATA]!, errno);
  }
}
