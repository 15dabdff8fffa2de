import * as nodePath from 'node:path';
import { MfioError, asyncDispose, invalidArgType, type IoBackend, type IoOptions } from '@mfio/core';
import { iocpFactory } from '../backends/iocp/index.js';
import { ioUringFactory } from '../backends/io_uring/index.js';
import { libuvFactory } from '../backends/libuv/index.js';
import { threadpoolFactory } from '../backends/threadpool/index.js';
import { DriverFs } from '../fs/driver-fs.js';
import type { OpenOptions } from '../fs/open-options.js';
import type { Diagnostics, DirHandle, FileHandle, Fs } from '../fs/types.js';
import { DriverTcp } from '../net/driver-tcp.js';
import type { ListenOptions, Tcp, TcpListener, TcpStream } from '../net/types.js';
import { BACKEND_ORDER, type BackendDrivers, type BackendFactory, type BackendName } from '../backends/contract.js';
import { forcedDelivery, type Delivery } from '../backends/delivery.js';
import { Resources } from '../lifecycle/resources.js';
import { addonStatus, type AddonStatus } from '../native/addon.js';
import { bestBackend, warnOnFallback } from './fallback-warning.js';

// Each factory says why its backend cannot start where it cannot (platform, addon, sandbox).
const FACTORIES: Readonly<Record<BackendName, BackendFactory>> = {
  io_uring: ioUringFactory,
  iocp: iocpFactory,
  threadpool: threadpoolFactory,
  libuv: libuvFactory,
};

/** The environment variable that restricts the backends, as in mfio: `MFIO_FS_BACKENDS=io_uring,libuv`. */
export const BACKENDS_ENV = 'MFIO_FS_BACKENDS';

/**
 * A runtime on one native backend: an {@link Fs} and a {@link Tcp}. Build it with
 * {@link NativeRt.builder}; close it when done.
 * @example
 * const rt = NativeRt.builder().enableAll().build();
 * console.log(rt.backendName); // 'libuv' until the native addon is built
 * const file = await rt.open('data.bin');
 * await rt.close();
 * @hideconstructor
 */
export class NativeRt implements Fs, Tcp {
  /** The backend this runtime runs on: `'io_uring'`, `'iocp'`, `'threadpool'` or `'libuv'`. */
  readonly backendName: BackendName;
  /**
   * The backends {@link NativeRtBuilder.build} tried before this one, each with the error that
   * kept it from starting (ERR_MFIO_BACKEND_UNAVAILABLE with the reason: a sandbox, the
   * platform, the host runtime). Empty for a runtime from `buildEach()`, which reports every
   * backend itself.
   * @example for (const { name, error } of rt.skipped) console.warn(`${name}: ${error.message}`);
   */
  readonly skipped: readonly BuildFailure[];
  readonly #drivers: BackendDrivers;
  readonly #fs: DriverFs;
  readonly #tcp: DriverTcp;
  #closing: Promise<void> | null = null;

  /** Not for users: use {@link NativeRt.builder}. Declared (not stripped as internal) so `new NativeRt()` stays a type error. */
  constructor(name: BackendName, drivers: BackendDrivers, skipped: readonly BuildFailure[] = []) {
    this.backendName = name;
    this.skipped = Object.freeze([...skipped]);
    this.#drivers = drivers;
    const resources = new Resources();
    this.#fs = new DriverFs(drivers.fs, resources);
    this.#tcp = new DriverTcp(drivers.tcp, resources);
  }

  /** A builder with every backend enabled until a switch says otherwise; see {@link NativeRtBuilder}. */
  static builder(): NativeRtBuilder {
    return new NativeRtBuilder();
  }

  /** What completes this runtime's I/O. */
  get backend(): IoBackend {
    return this.#drivers.backend;
  }

  /** A handle on the runtime's current directory (the builder's `cwd`). See {@link Fs.currentDir}. */
  currentDir(): DirHandle {
    return this.#fs.currentDir();
  }

  /**
   * Open a file relative to the current directory; `options` default to `{ read: true }`.
   * @throws {MfioError} as {@link DirHandle.openFile}; EBADF after {@link close}.
   */
  open(path: string, options?: OpenOptions): Promise<FileHandle> {
    return this.#fs.open(path, options);
  }

  /**
   * Connect to `host:port`; see {@link Tcp.connect}.
   * @throws {MfioError} ECONNREFUSED...; ABORT_ERR; ECANCELED if the runtime closes meanwhile; EBADF after close.
   */
  connect(host: string, port: number, options?: IoOptions): Promise<TcpStream> {
    return this.#tcp.connect(host, port, options);
  }

  /** Listen on `host:port` (0: any free port); see {@link Tcp.listen}. @throws {MfioError} EADDRINUSE; EBADF after close. */
  listen(host: string, port: number, options?: ListenOptions): Promise<TcpListener> {
    return this.#tcp.listen(host, port, options);
  }

  /**
   * Which native addon this process loaded (from the local build, the platform package or
   * `MFIO_ADDON`, with its path and version), or why it has none: `error` is the
   * ERR_MFIO_ADDON_LOAD that lists every candidate tried, why each failed, and the fix. Loads the
   * addon if nothing has yet; never throws.
   * @example
   * const status = NativeRt.addonStatus();
   * if (!status.loaded) console.warn(status.error.message);
   */
  static addonStatus(): AddonStatus {
    return addonStatus();
  }

  /**
   * What the runtime has open and in flight now, e.g. to log when a request or `close()` takes
   * far longer than it should: handles by kind, running operations, and the backend's requests
   * (op, state, age) where it tracks them (io_uring, the thread pool, IOCP); and `addon`, as
   * {@link NativeRt.addonStatus}: why a runtime on libuv has no native backend.
   */
  diagnostics(): RtDiagnostics {
    const delivery = this.#drivers.delivery;
    return { ...this.#fs.diagnostics(), addon: addonStatus(), ...(delivery ? { delivery } : {}) };
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /**
   * Close the runtime: cancel what is in flight (pending socket reads and accepts fail with
   * ECANCELED, connections are reset, including those whose graceful `close()` is still
   * flushing, files close after their in-flight requests, open `readDir` iterations are
   * released), waiting for closes the user started, then release
   * the backend. Resolves when every promise the runtime handed out has settled; never rejects.
   * Later calls on the runtime or its handles reject with EBADF.
   */
  close(): Promise<void> {
    this.#closing ??= this.#fs.close().then(async () => {
      await this.#drivers.close?.().catch(() => undefined);
    });
    return this.#closing;
  }

  /** {@link close}: `await using rt = NativeRt.builder().build()` closes the runtime at the end of the scope. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** {@link NativeRt.diagnostics}: the runtime's, and the native addon's status. */
export interface RtDiagnostics extends Diagnostics {
  /** Which native addon the process uses, or why it has none. */
  readonly addon: AddonStatus;
  /**
   * The native backends: how completions reach the JS thread (`'uv'`: a libuv handle on Node's
   * loop; `'tsfn'`: a native thread and a thread-safe function, on any host), and why that way.
   * Absent on libuv, whose completions are the host's own.
   */
  readonly delivery?: Delivery;
}

/** A backend that could not start, and why. */
export interface BuildFailure {
  /** The backend that could not start. */
  readonly name: BackendName;
  /** No runtime: tells a failure from a success in a {@link BuildResult}. */
  readonly rt?: undefined;
  /** Why: ERR_MFIO_BACKEND_UNAVAILABLE, ERR_MFIO_BACKEND_DISABLED, or the backend's own error. */
  readonly error: MfioError;
}

/** One entry of {@link NativeRtBuilder.buildEach}: the runtime, or why it could not start. */
export type BuildResult =
  | {
      /** The backend that started. */
      readonly name: BackendName;
      /** The runtime on it: yours to close. */
      readonly rt: NativeRt;
      /** No error: tells a success from a {@link BuildFailure}. */
      readonly error?: undefined;
    }
  | BuildFailure;

/**
 * Chooses and starts a native backend. Until a switch is called every backend is enabled, so
 * `NativeRt.builder().build()` is the platform's best backend that starts (as `enableAll()`); the
 * first call of {@link enable} or a per-backend switch makes the choice explicit: only the
 * backends switched on are tried (`.libuv().build()` is libuv or nothing). `MFIO_FS_BACKENDS` (a comma-separated list of backend names), when
 * set, further restricts the choice; `build()` and `buildEach()` throw ERR_INVALID_ARG_VALUE if
 * it names an unknown backend, or if `MFIO_DELIVERY` is set to anything but `uv` or `tsfn`.
 * @example
 * const rt = NativeRt.builder().enableAll().cwd('/srv/data').build();
 * const each = NativeRt.builder().enableAll().buildEach(); // for benchmarks and conformance
 */
export class NativeRtBuilder {
  readonly #enabled = new Set<BackendName>();
  /** Whether a switch was called: until then every backend is enabled. */
  #explicit = false;
  #cwd: string = process.cwd();
  #fallbackWarning = true;

  /** Enable every backend. */
  enableAll(): this {
    this.#explicit = true;
    for (const name of BACKEND_ORDER) this.#enabled.add(name);
    return this;
  }

  /** The backends switched on: every one until a switch was called. */
  #isEnabled(name: BackendName): boolean {
    return !this.#explicit || this.#enabled.has(name);
  }

  /** Enable or disable one backend by name. @throws {MfioError} ERR_INVALID_ARG_VALUE for an unknown name. */
  enable(name: BackendName, on = true): this {
    if (!(BACKEND_ORDER as readonly string[]).includes(name)) {
      throw new MfioError('ERR_INVALID_ARG_VALUE', `Unknown backend '${String(name)}'; expected one of ${BACKEND_ORDER.join(', ')}`);
    }
    this.#explicit = true;
    if (on) this.#enabled.add(name);
    else this.#enabled.delete(name);
    return this;
  }

  /** Enable or disable io_uring (Linux, native addon). */
  ioUring(on = true): this {
    return this.enable('io_uring', on);
  }

  /** Enable or disable IOCP (Windows, native addon). */
  iocp(on = true): this {
    return this.enable('iocp', on);
  }

  /** Enable or disable the native thread pool (any OS, native addon). */
  threadpool(on = true): this {
    return this.enable('threadpool', on);
  }

  /** Enable or disable libuv (`node:fs` and `node:net`; runs everywhere). */
  libuv(on = true): this {
    return this.enable('libuv', on);
  }

  /** The directory the runtime's `currentDir()` starts at (default: `process.cwd()` at build time). */
  cwd(path: string): this {
    if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
    this.#cwd = path;
    return this;
  }

  /**
   * Whether {@link build} warns (once per process, `process.emitWarning` with code
   * MFIO_BACKEND_FALLBACK) when it settles for a slower backend than this platform's best
   * (io_uring on Linux, iocp on Windows, threadpool elsewhere). On by default; never when that
   * best backend is disabled here or left out of `MFIO_FS_BACKENDS`: that choice is the user's.
   */
  fallbackWarning(on: boolean): this {
    if (typeof on !== 'boolean') throw invalidArgType('on', 'of type boolean', on);
    this.#fallbackWarning = on;
    return this;
  }

  /**
   * The first enabled backend that starts, in the order io_uring, iocp, threadpool, libuv; the
   * ones passed over are in its {@link NativeRt.skipped}. Falling back from the platform's best
   * backend is warned about once (see {@link fallbackWarning}).
   * @throws {MfioError} ERR_MFIO_NO_BACKEND listing why each enabled backend could not start.
   */
  build(): NativeRt {
    const failures: BuildFailure[] = [];
    // The user chose to go without the platform's best backend (disabled here, or left out of
    // MFIO_FS_BACKENDS): then a slower one is no surprise. Any other backend left out is no such
    // choice: `.ioUring().threadpool().libuv()` on Linux (iocp exists on Windows only) still
    // wants io_uring, and must hear why it did not get it.
    const best = bestBackend();
    const allowed = allowedByEnv();
    forcedDelivery(); // an invalid MFIO_DELIVERY throws here, as MFIO_FS_BACKENDS does
    const restricted = !this.#isEnabled(best) || (allowed !== null && !allowed.has(best));
    for (const name of this.#candidates()) {
      const result = this.#start(name, failures);
      if (result.rt) {
        if (this.#fallbackWarning && !restricted) warnOnFallback(result.rt.backendName, failures);
        return result.rt;
      }
      failures.push(result);
    }
    const message =
      failures.length === 0 ? 'every backend is switched off (see NativeRtBuilder.enable)' : failures.map((failure) => failure.error.message).join('; ');
    throw new MfioError('ERR_MFIO_NO_BACKEND', `Could not start any mfio backend: ${message}`);
  }

  /**
   * Try every enabled backend, in order, and return each with its runtime or its error (a
   * backend left out by `MFIO_FS_BACKENDS` is reported with ERR_MFIO_BACKEND_DISABLED). Close
   * every runtime returned.
   */
  buildEach(): BuildResult[] {
    const allowed = allowedByEnv();
    forcedDelivery();
    const out: BuildResult[] = [];
    for (const name of BACKEND_ORDER) {
      if (!this.#isEnabled(name)) continue;
      if (allowed !== null && !allowed.has(name)) {
        out.push({ name, error: new MfioError('ERR_MFIO_BACKEND_DISABLED', `The ${name} backend is not in ${BACKENDS_ENV}=${process.env[BACKENDS_ENV]}`) });
      } else {
        out.push(this.#start(name));
      }
    }
    return out;
  }

  #candidates(): BackendName[] {
    const allowed = allowedByEnv();
    return BACKEND_ORDER.filter((name) => this.#isEnabled(name) && (allowed === null || allowed.has(name)));
  }

  #start(name: BackendName, skipped: readonly BuildFailure[] = []): BuildResult {
    const factory = FACTORIES[name];
    try {
      return { name, rt: new NativeRt(name, factory.start({ cwd: nodePath.resolve(this.#cwd) }), skipped) };
    } catch (error) {
      const mfioError =
        error instanceof MfioError
          ? error
          : new MfioError('ERR_MFIO_BACKEND_UNAVAILABLE', `The ${name} backend failed to start: ${String(error)}`, { cause: error });
      return { name, error: mfioError };
    }
  }
}

/**
 * The backends `MFIO_FS_BACKENDS` allows, or null when it is unset or empty.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE naming an unknown backend (a typo would otherwise
 * silently select nothing, or something else).
 */
function allowedByEnv(): Set<string> | null {
  const value = process.env[BACKENDS_ENV];
  if (value === undefined || value.trim() === '') return null;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(BACKEND_ORDER as readonly string[]).includes(name)) {
      throw new MfioError('ERR_INVALID_ARG_VALUE', `${BACKENDS_ENV} names an unknown backend '${name}'; expected one of ${BACKEND_ORDER.join(', ')}`);
    }
  }
  return new Set(names);
}
