import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MfioError, SeededRandom } from '@mfio/core';
import type { FileHandle } from '@mfio/rt';
import type { FailureKind } from './failure.js';
import { FileModel, type Mismatch } from './file-model.js';
import { describeInfo, describeRequest, type InFlight, type RequestInfo } from './in-flight.js';
import { readAtOp, readManyOp, writeAtOp, type Destination, type FileState, type OpContext, type RequestTicket, type Step } from './operations.js';
import { RangeClaims } from './range-claims.js';
import type { SoakTarget } from './targets/target.js';
import { TargetStats } from './target-stats.js';

/** How a target is exercised. */
export interface RunnerOptions {
  readonly files: number;
  readonly fileSize: number;
  /** Handles open on each file at once (spread over the target's connections). */
  readonly handlesPerFile: number;
  /** Requests each target keeps in flight (one loop each). */
  readonly concurrency: number;
  readonly maxIo: number;
  readonly abortRate: number;
  /** The share of steps that close a handle (with requests in flight on it) and open it again. */
  readonly reopenRate: number;
  /** Mean time between server kills; 0: never. */
  readonly restartEveryMs: number;
  /** Requests in flight on a killed server must all have failed this soon after the kill. */
  readonly resetBoundMs: number;
}

/** What the runner reports to the soak as a whole. */
export interface RunnerHooks {
  /** Every request in flight, for the hang detector. */
  readonly inFlight: InFlight;
  /** Record a failure; the soak stops. */
  fail(kind: FailureKind, message: string): void;
  /** True once the soak is stopping: no new requests. */
  stopping(): boolean;
  /** Resolves when the soak starts stopping. */
  readonly stopped: Promise<void>;
}

/** A handle kept open on one file through one connection; closed and reopened now and then. */
interface HandleSlot {
  readonly file: FileState;
  readonly connection: number;
  handle: FileHandle | null;
  generation: number;
  /** Being closed and reopened: take no new request. */
  busy: boolean;
}

/** How an open or close went: its value, or whether it failed with a reset of a killed server. */
type Outcome<T> = { readonly ok: true; readonly value: T; readonly reset?: false } | { readonly ok: false; readonly reset: boolean };

/** Bytes of the pool that writes take their data from (at least twice the largest write). */
const WRITE_POOL_BYTES = 4 << 20;

/**
 * Exercises one target: its files with their models, handles spread over its connections,
 * `concurrency` loops of random reads, batched reads, writes (some aborted) and handle reopens,
 * and for a target with a server, kills and restarts of it. Any unexpected error or wrong byte
 * fails the run through the hooks.
 */
export class TargetRunner implements OpContext {
  readonly target: string;
  readonly stats: TargetStats;
  readonly random: SeededRandom;
  readonly maxIo: number;
  readonly abortRate: number;
  readonly #source: SoakTarget;
  readonly #options: RunnerOptions;
  readonly #hooks: RunnerHooks;
  readonly #files: FileState[] = [];
  readonly #slots: HandleSlot[] = [];
  readonly #writePool: Buffer;
  /** Where a write's window of the pool may start: 0 to the pool's length less the write's. */
  readonly #poolBytes: number;
  /** Connection generations whose server the soak killed: resets there are expected. */
  readonly #killed = new Set<number>();
  /** Requests not yet settled, per connection generation. */
  readonly #live = new Map<number, number>();
  /** Requests the backend has not let go of yet, per handle. */
  readonly #onHandle = new Map<FileHandle, number>();
  #generation = 0;
  /** While a server restarts: resolves when it is back. */
  #down: Promise<void> | null = null;
  /**
   * Set while the dead server's clients are closed: their handles then fail with EBADF (closed
   * by us), not with the reset under test, so no request may start on them.
   */
  #reviving = false;

  constructor(target: SoakTarget, options: RunnerOptions, seed: number, hooks: RunnerHooks) {
    this.#source = target;
    this.target = target.name;
    this.stats = new TargetStats(target.name);
    this.random = new SeededRandom(seed);
    this.maxIo = options.maxIo;
    this.abortRate = options.abortRate;
    this.#options = options;
    this.#hooks = hooks;
    this.#poolBytes = Math.max(WRITE_POOL_BYTES, 2 * options.maxIo);
    this.#writePool = Buffer.from(this.random.bytes(this.#poolBytes));
  }

  /** Start the target, create its files with seeded content, open every handle. */
  async prepare(): Promise<void> {
    await this.#step({ op: 'start' }, this.#source.start());
    for (let i = 0; i < this.#options.files; i++) {
      const model = new FileModel(`soak-${i}.bin`, this.random.bytes(this.#options.fileSize));
      await this.#step({ op: 'create', file: model.name, length: model.size }, this.#source.createFile(model.name, model.expected(0, model.size)));
      this.#files.push({ model, claims: new RangeClaims() });
    }
    const connections = this.#source.connections().length;
    for (const file of this.#files) {
      for (let h = 0; h < this.#options.handlesPerFile; h++) {
        this.#slots.push({ file, connection: this.#slots.length % connections, handle: null, generation: 0, busy: false });
      }
    }
    await Promise.all(this.#slots.map((slot) => this.#open(slot)));
  }

  /** Run until the soak stops: the request loops and, for a server, the restart loop. */
  async run(): Promise<void> {
    const loops = Array.from({ length: this.#options.concurrency }, () => this.#loop());
    if (this.#source.restartable && this.#options.restartEveryMs > 0) loops.push(this.#restartLoop());
    await Promise.all(loops);
  }

  /**
   * After the run: rewrite every unknown range, then read every file whole and compare every
   * byte with the model.
   */
  async verifyAll(): Promise<void> {
    const chunk = 256 << 10;
    for (const file of this.#files) {
      const slot = this.#slots.find((s) => s.file === file && s.handle !== null);
      if (slot === undefined) return this.#hooks.fail('setup', `${this.target}: no open handle on ${file.model.name} for the final check`);
      const handle = slot.handle!;
      const { model } = file;
      if (this.#source.writable) {
        for (const range of [...model.unknown.ranges]) {
          for (let at = range.start; at < range.end; at += this.maxIo) {
            const data = this.writeData(Math.min(this.maxIo, range.end - at));
            await this.#step({ op: 'final repair', file: model.name, position: at, length: data.length }, handle.writeAllAt(at, data));
            model.writeSettled(at, data, data.length);
          }
        }
      }
      for (let at = 0; at < model.size; at += chunk) {
        const info = { target: this.target, op: 'final read', file: model.name, position: at, length: chunk };
        const data = await this.#step(info, handle.readAt(at, chunk));
        const result = model.check(at, chunk, data);
        this.stats.finalBytesChecked += result.checked;
        if (result.mismatch !== null) this.mismatch(info, result.mismatch);
        else if (result.skipped > 0)
          this.#hooks.fail('wrong bytes', `${this.target}: ${model.name} still has ${result.skipped} unknown bytes at ${at} after the final repair`);
      }
    }
  }

  /** Close every handle, then the target (its runtime; its clients and server). */
  async close(): Promise<void> {
    await Promise.all(
      this.#slots.map((slot) => (slot.handle === null ? undefined : this.#step({ op: 'close', file: slot.file.model.name }, slot.handle.close()))),
    );
    await this.#step({ op: 'close target' }, this.#source.close());
  }

  /** The bytes the model cannot vouch for now, over every file. */
  get unknownBytes(): number {
    return this.#files.reduce((sum, f) => sum + f.model.unknown.size, 0);
  }

  // OpContext: what the operations call back.

  writeData(length: number): Uint8Array {
    // A random window of a seeded pool: fresh-looking bytes without generating them per write.
    const start = this.random.int(this.#poolBytes - length + 1);
    return this.#writePool.subarray(start, start + length);
  }

  begin(info: RequestInfo, generation: number, handle?: FileHandle): RequestTicket {
    const registered = this.#hooks.inFlight.begin(info);
    this.#live.set(generation, (this.#live.get(generation) ?? 0) + 1);
    if (handle !== undefined) this.#onHandle.set(handle, (this.#onHandle.get(handle) ?? 0) + 1);
    let settled = false;
    let ended = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      this.#live.set(generation, this.#live.get(generation)! - 1);
    };
    return {
      generation,
      settled: settle,
      releasing: () => registered.releasing(),
      end: () => {
        settle();
        if (!ended && handle !== undefined) {
          const left = this.#onHandle.get(handle)! - 1;
          if (left === 0) this.#onHandle.delete(handle);
          else this.#onHandle.set(handle, left);
        }
        ended = true;
        return registered.end();
      },
    };
  }

  async settleError(error: unknown, info: RequestInfo, aborted: boolean, ticket: RequestTicket): Promise<boolean> {
    const generation = ticket.generation;
    const mfioCode = error instanceof MfioError ? error.code : undefined;
    const code = mfioCode ?? `not an MfioError (${String(error)})`;
    const isAbort = mfioCode === 'ABORT_ERR';
    const isReset = mfioCode !== undefined && this.#source.restartable?.resetCodes.includes(mfioCode) === true && this.#killed.has(generation);
    const expected = (isAbort && aborted) || isReset;
    this.stats.countError(code, expected);
    if (!expected) {
      const why = isAbort ? ' (no abort was sent)' : this.#killed.has(generation) ? '' : ' (its server was not killed)';
      this.#hooks.fail('unexpected error', `${describeInfo(info)}: unexpected ${code}${why}: ${(error as Error)?.message}`);
    }
    if (isAbort) {
      this.stats.aborted++;
      ticket.releasing();
      await (error as MfioError).released;
    }
    ticket.end();
    return isReset;
  }

  mismatch(info: RequestInfo, mismatch: Mismatch): void {
    const what =
      mismatch.kind === 'length'
        ? `returned ${mismatch.actual} bytes, the model says ${mismatch.expected}`
        : `wrong byte at position ${mismatch.position}: read 0x${hex(mismatch.actual)}, the model has 0x${hex(mismatch.expected)} (${mismatch.differing} wrong bytes in this read)`;
    this.#hooks.fail('wrong bytes', `${describeInfo(info)}: ${what}`);
  }

  // The loops.

  /**
   * One of the request loops. While the soak kills a server, the loops go on sending until their
   * own request fails with the reset: requests then reach a server that is dying, which is the
   * case to test (the answers to those sent before are mostly in our socket buffer already).
   * Then they wait for the restart.
   */
  async #loop(): Promise<void> {
    while (!this.#hooks.stopping()) {
      const step = await this.#once();
      // Each pass must let the event loop turn, or a loop of instant failures would starve it.
      if (step === 'reset' && this.#down !== null) await this.#down;
      else if (step !== 'done') await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One random step. */
  async #once(): Promise<Step> {
    if (this.random.next() < this.#options.reopenRate) return this.#reopenOne();
    const slot = this.#pickSlot();
    if (slot === undefined) return this.#down === null ? 'idle' : 'reset';
    const to: Destination = { file: slot.file, handle: slot.handle!, generation: slot.generation };
    // Half reads (readAt 30 %, readMany 20 %), half writes (a tenth of all steps rewrite
    // unknown bytes while there are any, so that they are checked again).
    const roll = this.random.next();
    const reads = this.#source.writable ? 0.5 : 1;
    if (roll < reads * 0.6) return readAtOp(this, to);
    if (roll < reads) return readManyOp(this, to);
    if (roll < 0.9 || to.file.model.unknown.isEmpty) return writeAtOp(this, to, false);
    return writeAtOp(this, to, true);
  }

  /** A random usable handle: open, not being reopened, on the current server. */
  #pickSlot(): HandleSlot | undefined {
    if (this.#reviving) return undefined;
    const start = this.random.int(this.#slots.length);
    for (let k = 0; k < this.#slots.length; k++) {
      const slot = this.#slots[(start + k) % this.#slots.length]!;
      if (slot.handle !== null && !slot.busy && slot.generation === this.#generation) return slot;
    }
    return undefined;
  }

  /** Close a random handle (requests may be in flight on it: close waits for them), open it again. */
  async #reopenOne(): Promise<Step> {
    const slot = this.#pickSlot();
    if (slot === undefined) return this.#down === null ? 'idle' : 'reset';
    slot.busy = true;
    const handle = slot.handle!;
    slot.handle = null;
    if (this.#onHandle.has(handle)) this.stats.busyCloses++;
    const closed = await this.#request({ op: 'close', file: slot.file.model.name }, slot.generation, () => handle.close());
    if (closed.ok) {
      this.stats.ops.close++;
      await this.#checkClosedIdle(slot, handle);
    }
    // While the server is down the restart reopens every handle.
    const opened = this.#down === null ? await this.#open(slot) : { ok: false, reset: false };
    slot.busy = false;
    return closed.reset || opened.reset ? 'reset' : 'done';
  }

  /**
   * A closed handle's close promise resolves only after every request already in flight on it
   * has completed (FileHandle.close): by the next turn of the loop, when the completions' own
   * continuations have run, none of them may be left.
   */
  async #checkClosedIdle(slot: HandleSlot, handle: FileHandle): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const left = this.#onHandle.get(handle) ?? 0;
    if (left > 0) {
      const list = this.#hooks.inFlight
        .list()
        .filter((r) => r.target === this.target && r.file === slot.file.model.name)
        .map((r) => `  ${describeRequest(r)}`);
      this.#hooks.fail(
        'close early',
        `${this.target}: close() of a handle on ${slot.file.model.name} resolved with ${left} request(s) on it still held by the backend; in flight on the file:\n${list.join('\n')}`,
      );
    }
  }

  /** Open `slot`'s file on its connection of the current generation. */
  async #open(slot: HandleSlot): Promise<Outcome<FileHandle>> {
    const connection = this.#source.connections()[slot.connection];
    if (connection === undefined) return { ok: false, reset: true }; // the server is down
    const opened = await this.#request({ op: 'open', file: slot.file.model.name }, connection.generation, () =>
      connection.fs.open(slot.file.model.name, { read: true, write: this.#source.writable }),
    );
    if (opened.ok) {
      this.stats.ops.open++;
      slot.handle = opened.value;
      slot.generation = connection.generation;
    }
    return opened;
  }

  /** A request that is not a read or write (open, close): tracked, its error accounted for. */
  async #request<T>(what: Omit<RequestInfo, 'target'>, generation: number, run: () => Promise<T>): Promise<Outcome<T>> {
    const info = { target: this.target, ...what };
    const ticket = this.begin(info, generation);
    try {
      const value = await run();
      ticket.end();
      return { ok: true, value };
    } catch (error) {
      ticket.settled();
      return { ok: false, reset: await this.settleError(error, info, false, ticket) };
    }
  }

  /** A setup or shutdown step: tracked by the hang detector; its failure fails the run. */
  async #step<T>(what: Omit<RequestInfo, 'target'>, promise: Promise<T>): Promise<T> {
    return this.#hooks.inFlight.track({ target: this.target, ...what }, promise);
  }

  async #restartLoop(): Promise<void> {
    const mean = this.#options.restartEveryMs;
    while (!this.#hooks.stopping()) {
      // Spread around the mean (0.5x to 1.5x) so servers do not die in step.
      const wait = mean * (0.5 + this.random.next());
      await Promise.race([sleep(wait), this.#hooks.stopped]);
      if (this.#hooks.stopping()) break;
      await this.#restart();
    }
  }

  /**
   * Kill the server with requests in flight; check they all fail within the reset bound; start
   * it again, reconnect and reopen every handle.
   */
  async #restart(): Promise<void> {
    const server = this.#source.restartable!;
    let back!: () => void;
    this.#down = new Promise((resolve) => (back = resolve));
    const generation = this.#generation;
    const ticket = this.#hooks.inFlight.begin({ target: this.target, op: 'restart (kill, wait for resets, start, reconnect)' });
    try {
      this.#killed.add(generation);
      const killedAt = performance.now();
      await server.kill();
      // Every request of the dead generation must fail promptly (with a reset code).
      const deadline = killedAt + this.#options.resetBoundMs;
      while ((this.#live.get(generation) ?? 0) > 0 && performance.now() < deadline) await sleep(5);
      const settleMs = performance.now() - killedAt;
      if ((this.#live.get(generation) ?? 0) > 0) {
        const left = this.#hooks.inFlight
          .list()
          .filter((r) => r.target === this.target)
          .map((r) => `  ${describeRequest(r)}`);
        this.#hooks.fail(
          'slow reset',
          `${this.target}: ${this.#live.get(generation)} request(s) still in flight ${this.#options.resetBoundMs} ms after the server was killed:\n${left.join('\n')}`,
        );
        return;
      }
      this.stats.resetSettleMaxMs = Math.max(this.stats.resetSettleMaxMs, settleMs);
      // Reopens under way end quickly now (their requests failed); wait for them to let go.
      while (this.#slots.some((s) => s.busy)) await sleep(5);
      this.#reviving = true;
      await server.revive();
      this.#generation++;
      this.#live.delete(generation);
      for (const slot of this.#slots) slot.handle = null; // closed with their clients by revive()
      await Promise.all(this.#slots.map((slot) => this.#open(slot)));
      this.stats.restarts++;
    } catch (error) {
      this.#hooks.fail('setup', `${this.target}: restart failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      ticket.end();
      this.#reviving = false;
      this.#down = null;
      back();
    }
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
