import { checkOptions, invalidArgType, MfioError, type Position, type ReadToEndOptions, type WriteSource } from '@mfio/core';
import { BACKEND_ORDER, type BackendName } from '../backends/contract.js';
import type { OpenOptions } from '../fs/open-options.js';
import type { Diagnostics, DirHandle, FileHandle, Fs } from '../fs/types.js';
import { NativeRt } from './native-rt.js';

/** What {@link configure} sets for the default runtime. Every field is optional. */
export interface DefaultRtOptions {
  /**
   * The backends to try, in the builder's order (io_uring, iocp, threadpool, libuv): default all.
   * `MFIO_FS_BACKENDS` still restricts the choice further.
   */
  backends?: readonly BackendName[];
  /** The directory relative paths start at (default: `process.cwd()` when the runtime starts). */
  cwd?: string;
  /** Warn once when falling back from the platform's best backend (default true); see `NativeRtBuilder.fallbackWarning`. */
  fallbackWarning?: boolean;
}

const OPTION_KEYS = ['backends', 'cwd', 'fallbackWarning'] as const;

// Module state is per Node environment: a worker thread loads its own copy of this module, so it
// builds (and its exit cleans up) its own runtime; nothing is shared across threads.
let settings: DefaultRtOptions = {};
let configured = false;
let runtime: NativeRt | null = null;

/**
 * Set up the default runtime before its first use; call it at most once. Without it the first
 * use builds the best backend that starts here (as `NativeRt.builder().build()`).
 * @throws {MfioError} ERR_MFIO_ALREADY_STARTED after the first use or a second call (the runtime
 * keeps the settings it started with); ERR_INVALID_ARG_VALUE for an unknown option or backend;
 * ERR_INVALID_ARG_TYPE for a value of the wrong type.
 * @example
 * import { configure, readFile } from '@mfio/rt';
 * configure({ backends: ['threadpool', 'libuv'] });
 * const data = await readFile('data.bin');
 */
export function configure(options: DefaultRtOptions): void {
  if (runtime !== null) {
    throw new MfioError('ERR_MFIO_ALREADY_STARTED', `configure() must come before the default runtime's first use: it already runs on ${runtime.backendName}`);
  }
  if (configured) throw new MfioError('ERR_MFIO_ALREADY_STARTED', 'configure() was already called: the default runtime takes one configuration');
  if (options === undefined) throw invalidArgType('options', 'of type object', options);
  checkOptions(options, OPTION_KEYS);
  const { backends, cwd, fallbackWarning } = options;
  if (backends !== undefined) {
    if (!Array.isArray(backends)) throw invalidArgType('options.backends', 'an array of backend names', backends);
    for (const name of backends) {
      if (!(BACKEND_ORDER as readonly unknown[]).includes(name)) {
        throw new MfioError('ERR_INVALID_ARG_VALUE', `Unknown backend '${String(name)}' in options.backends; expected some of ${BACKEND_ORDER.join(', ')}`);
      }
    }
  }
  if (cwd !== undefined && typeof cwd !== 'string') throw invalidArgType('options.cwd', 'of type string', cwd);
  if (fallbackWarning !== undefined && typeof fallbackWarning !== 'boolean')
    throw invalidArgType('options.fallbackWarning', 'of type boolean', fallbackWarning);
  settings = { ...options, ...(backends === undefined ? {} : { backends: Array.from(backends as readonly BackendName[]) }) };
  configured = true;
}

/**
 * The process's default runtime (this thread's, in a worker), built on first use with the
 * {@link configure} settings. It is never closed for you and need not be: an idle runtime keeps
 * no event-loop reference, so the process exits when its own work is done, and Node's exit (or
 * the worker's) releases it. Closed anyway, it is built again at its next use (handles of the
 * closed one stay closed).
 * @throws {MfioError} ERR_MFIO_NO_BACKEND when no configured backend starts.
 */
export function defaultRt(): NativeRt {
  // Closed by someone (`await using rt = defaultRt()` is an easy slip): the next use builds a
  // fresh one with the same settings, rather than every later call failing with EBADF.
  if (runtime === null || runtime.closed) {
    const builder = NativeRt.builder();
    if (settings.backends !== undefined) for (const name of settings.backends) builder.enable(name);
    // An empty list: nothing switched on, which build() reports as such.
    if (settings.backends?.length === 0) builder.libuv(false);
    if (settings.cwd !== undefined) builder.cwd(settings.cwd);
    if (settings.fallbackWarning !== undefined) builder.fallbackWarning(settings.fallbackWarning);
    runtime = builder.build();
  }
  return runtime;
}

/**
 * The default runtime's {@link Fs}: each call goes to {@link defaultRt}, so importing it starts
 * nothing.
 * @example
 * import { fs } from '@mfio/rt';
 * await using file = await fs.open('data.bin');
 * const head = await file.readAt(0, 512);
 */
export const fs: Fs = Object.freeze({
  currentDir: (): DirHandle => defaultRt().currentDir(),
  open: (path: string, options?: OpenOptions): Promise<FileHandle> => openWith(path, options),
  diagnostics: (): Diagnostics => defaultRt().diagnostics(),
});

function openWith(path: string, options: OpenOptions | undefined): Promise<FileHandle> {
  try {
    return defaultRt().open(path, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Open a file on the default runtime; see {@link Fs.open}.
 * @throws {MfioError} as `DirHandle.openFile`.
 */
export function open(path: string, options?: OpenOptions): Promise<FileHandle> {
  return openWith(path, options);
}

/**
 * The whole file at `path` (from `position`), read on the default runtime with its size as the hint.
 * @throws {MfioError} ENOENT, EISDIR, ... as `open` and `readToEnd`.
 * @example const config = JSON.parse((await readFile('config.json')).toString());
 */
export async function readFile(path: string, position: Position = 0, options?: ReadToEndOptions): Promise<Buffer> {
  // try/finally, not `await using`: TypeScript's helper for it needs Symbol.asyncDispose, which
  // Node 20 before 20.4 lacks.
  const file = await openWith(path, { read: true });
  try {
    return await file.readToEnd(position, options);
  } finally {
    await file.close();
  }
}

/**
 * Replace the file at `path` with `data` (created if missing), on the default runtime.
 * @throws {MfioError} ENOENT for a missing directory, EISDIR, ... as `open` and `writeAllAt`.
 */
export async function writeFile(path: string, data: WriteSource): Promise<void> {
  const file = await openWith(path, { write: true, create: true, truncate: true });
  try {
    await file.writeAllAt(0, data);
  } finally {
    await file.close();
  }
}
