import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MfioError } from '@mfio/core';
import { packageRoot } from './addon-location.js';
import { addonCandidates, ownPackage, type AddonCandidate, type AddonSource, type OwnPackage } from './addon-candidates.js';
import { addonFix } from './addon-fix.js';

/**
 * What a native backend's executor exports (the io_uring ring, the thread pool): it consumes the
 * command buffer laid out in backends/engine/commands.ts and reports (user_data, result) pairs
 * into the completions array it was made with, through one callback per drain.
 */
export interface NativeExecutor {
  /** Consume `count` commands; returns how many fit in the submission queue. */
  submit(commands: Float64Array, count: number, buffers: readonly Uint8Array[]): number;
  /** Submit what is queued, wait for `minComplete` completions, drain; returns pairs written. */
  wait(minComplete: number): number;
  /** Drain ready completions without waiting; returns pairs written. */
  drain(): number;
  /** Keep Node's loop alive (requests in flight) or not. */
  setActive(active: boolean): void;
  close(): void;
  /**
   * `capacity`: requests it accepts at once; `fd`: what Node's loop polls, or -1. The thread
   * pool adds `threads`, and `awake`/`target` (workers awake now, and kept awake while queued).
   * io_uring adds `fixedFiles` (`'on'`, or `'off (why)'`: MFIO_FIXED_FILES=0, or
   * io_uring_register refused), `registeredFiles` (files it opened, now in its file table) and
   * `taskRun` (`'cooperative'`: completions finished off the JS thread are posted when it next
   * enters the kernel, IORING_SETUP_COOP_TASKRUN; `'interrupt'`: kernels before 5.19).
   */
  info(): {
    capacity: number;
    inFlight: number;
    fd: number;
    /** io_uring and the thread pool: the path their completions take (`'uv'` or `'tsfn'`). */
    delivery?: string;
    threads?: number;
    awake?: number;
    target?: number;
    fixedFiles?: string;
    registeredFiles?: number;
    taskRun?: 'cooperative' | 'interrupt';
  };
}

/**
 * new Executor(size, completions: Int32Array, onCompletions, delivery?, asyncHooks?): `delivery`
 * is how completions reach the JS thread, `'uv'` (the default) or `'tsfn'` (backends/delivery.ts);
 * IOCP always uses a thread-safe function and ignores it. `asyncHooks: false` (Bun, Deno) gives
 * the completion callbacks no async context (src/native/common/completion_sink.h says why).
 */
export type NativeExecutorClass = new (
  size: number,
  completions: Int32Array,
  onCompletions: (count: number) => void,
  delivery?: 'uv' | 'tsfn',
  asyncHooks?: boolean,
) => NativeExecutor;

/**
 * A pipe that file pages pass through on their way to a socket, never copied through user
 * memory (src/native/common/file_splice.cc); every call is synchronous and returns at once.
 */
export interface NativeFileSplice {
  /** The most one `stage` takes, whatever the range's alignment. */
  readonly capacity: number;
  /** Whether `fd`'s filesystem is one whose splice reads wait only for the pages (ext4, btrfs, tmpfs). */
  spliceable(fd: number): boolean;
  /**
   * Move `length` bytes at `position` of `fd` into the pipe; returns the count (fewer only at end
   * of file), -EAGAIN when not all of them are in the page cache and read, -ENOSYS or -EPERM
   * without cachestat (before Linux 6.5, or a seccomp filter), -EBUSY while bytes are staged,
   * other -errno.
   */
  stage(fd: number, position: number, length: number): number;
  /** Send `header`, then the staged bytes, as far as the socket takes them; returns the count or -errno (the staged bytes dropped). */
  send(socketFd: number, header: Uint8Array): number;
  /** The staged bytes the socket did not take (the pipe is empty after). */
  rest(): Buffer;
  /** Drop the staged bytes. */
  drop(): void;
}

/** Socket calls without a ring operation (src/native/common/sockets.cc); each returns -errno on failure. */
export interface NativeSockets {
  socketOpen(ipv6: boolean): number;
  socketListen(fd: number, sockaddr: Uint8Array, backlog: number): number;
  /** Fills `out` (128 bytes) with the local or peer sockaddr; returns its length. */
  socketName(fd: number, peer: boolean, out: Uint8Array): number;
  socketNoDelay(fd: number): number;
  /** Close with SO_LINGER 0: the peer gets a reset. */
  socketResetClose(fd: number): number;
}

/**
 * The command layout the addon was compiled with (src/native/common/command_layout.cc), for the
 * test that compares it with src/backends/engine/commands.ts. `layouts[op]` gives the slot kinds
 * as the numbers of commands.h's enums (0: the slot is not read).
 */
export interface CompiledCommandLayout {
  stride: number;
  fields: Record<string, number>;
  ops: Record<string, number>;
  constants: Record<string, number>;
  layouts: Array<{ name: string; fd: number; buf: number; len: number; arg: number; flags: boolean; executors: number }>;
}

/**
 * What the read arena of this thread holds (src/native/common/read_arena.cc), as `arenaStats()`
 * reports it. Sizes are bytes.
 */
export interface ArenaStats {
  /** Mappings: chunks carved into blocks, and one-off mappings for requests over 256 MiB. */
  readonly chunks: number;
  /** Bytes mapped from the kernel now, in chunks and one-off mappings. */
  readonly bytesMapped: number;
  /** In blocks handed out whose Buffer has not been collected yet (a block's whole size class). */
  readonly bytesLive: number;
  /** In wholly free chunks, kept for reuse up to `keepBytes`. */
  readonly bytesEmpty: number;
  /** Blocks handed out whose Buffer has not been collected yet. */
  readonly blocksLive: number;
  /** Buffers handed out, ever. */
  readonly allocations: number;
  /** Of those, how many were in memory an earlier Buffer had used (not fresh from the kernel). */
  readonly recycled: number;
  /** Requests answered with undefined (at `maxBytes`, mmap failed, no external buffers). */
  readonly refused: number;
  /** Chunks given back to the system. */
  readonly unmapped: number;
  /** Bytes cleared for `zero: true`. */
  readonly zeroedBytes: number;
  /** The setting: wholly free memory kept for reuse, at most (`configureArena`). */
  readonly keepBytes: number;
  /** The setting: bytes mapped at most, past which requests are refused (`configureArena`). */
  readonly maxBytes: number;
  /** The host refuses external buffers (no arena here). */
  readonly disabled: boolean;
}

export interface NativeAddon extends Partial<NativeSockets> {
  /** The version of @mfio/rt it was built from (src/native/binding.cc); the loader refuses any other. */
  version?: string;
  /**
   * A Buffer of `length` bytes (an integer up to 2^53 - 1) from this thread's read arena, not
   * zeroed unless `zero`; undefined where the arena cannot serve. Unix builds only.
   */
  arenaAllocate?: (length: number, zero: boolean) => Buffer | undefined;
  arenaStats?: () => ArenaStats;
  /** Unmap wholly free chunks past `keepBytes`. */
  arenaTrim?: (keepBytes: number) => void;
  arenaConfigure?: (keepBytes: number, maxBytes: number) => void;
  /** The command layout as compiled (every build of the addon has it). */
  commandLayout?(): CompiledCommandLayout;
  /** Bytes from the start of `buffer` to the next page boundary (src/native/common/aligned_buffer.cc). */
  pageOffset?: (buffer: Uint8Array) => number;
  /** Present where io_uring was compiled in (Linux). */
  UringExecutor?: NativeExecutorClass;
  /** Present on Linux builds: a pipe for splicing cached file pages to sockets (src/native/common/file_splice.h). */
  FileSplice?: new (capacity: number) => NativeFileSplice;
  /** Present where the thread pool was compiled in (Linux, macOS and other Unixes); `size` is its thread count. */
  ThreadpoolExecutor?: NativeExecutorClass;
  /** Present on Windows (src/native/iocp/): an I/O completion port; `size` is advisory. */
  IocpExecutor?: NativeExecutorClass;
}

/** One candidate the loader tried, and why it was not used (undefined for the one loaded). */
export interface AddonAttempt {
  /** Where the loader looked: an `MFIO_ADDON` path, the local build or the platform package. */
  readonly source: AddonSource;
  /** The binary's path (for a platform package that is not installed, the package's name). */
  readonly path: string;
  /** Why it could not be loaded; absent for the one that loaded. */
  readonly error?: string;
  /** The binary loaded but was built for another version of the package. */
  readonly wrongVersion?: boolean;
}

/**
 * Which native addon this process uses, or why it has none: what `NativeRt.addonStatus()` and
 * `rt.diagnostics().addon` report.
 */
export type AddonStatus =
  | {
      /** The addon is loaded. */
      readonly loaded: true;
      /** Where it was loaded from. */
      readonly source: AddonSource;
      /** The binary's path. */
      readonly path: string;
      /** The @mfio/rt version it was built from (equal to the package's). */
      readonly version: string;
      /** Every candidate tried, in order, the loaded one last. */
      readonly tried: readonly AddonAttempt[];
    }
  | {
      /** No addon: the native backends are unavailable, libuv serves. */
      readonly loaded: false;
      /** ERR_MFIO_ADDON_LOAD: each path tried, why it failed, and the fix. */
      readonly error: MfioError;
      /** Every candidate tried, in order. */
      readonly tried: readonly AddonAttempt[];
    };

let cached: { addon?: NativeAddon; status: AddonStatus } | undefined;

/**
 * Load the native addon once.
 * @throws {MfioError} ERR_MFIO_ADDON_LOAD listing every candidate tried, why each failed, and the fix.
 */
export function loadAddon(): NativeAddon {
  cached ??= tryLoad();
  if (!cached.status.loaded) throw cached.status.error;
  return cached.addon!;
}

/** The addon's status, loading it first if nothing has yet; never throws. */
export function addonStatus(): AddonStatus {
  cached ??= tryLoad();
  return cached.status;
}

function tryLoad(): { addon?: NativeAddon; status: AddonStatus } {
  // addonStatus() promises never to throw: whatever goes wrong before a candidate is even tried
  // (reading our own package.json, finding the platform package) becomes the load error.
  try {
    return tryCandidates();
  } catch (error) {
    const message = `The @mfio/rt native addon could not be looked for, so only the libuv backend is available: ${String((error as Error)?.message ?? error)}`;
    return { status: { loaded: false, error: new MfioError('ERR_MFIO_ADDON_LOAD', message, { cause: error }), tried: [] } };
  }
}

function tryCandidates(): { addon?: NativeAddon; status: AddonStatus } {
  const require = createRequire(join(packageRoot, 'package.json'));
  const own = ownPackage();
  const tried: AddonAttempt[] = [];
  const candidates = addonCandidates(own);
  for (const candidate of candidates) {
    if (candidate.missing !== undefined) {
      tried.push({ source: candidate.source, path: candidate.path, error: candidate.missing });
      continue;
    }
    let addon: NativeAddon;
    try {
      addon = require(candidate.path) as NativeAddon;
    } catch (error) {
      const code = (error as { code?: string }).code;
      tried.push({ source: candidate.source, path: candidate.path, error: code === 'MODULE_NOT_FOUND' ? 'not found' : String((error as Error).message) });
      continue;
    }
    const mismatch = versionMismatch(addon, own);
    if (mismatch !== undefined) {
      tried.push({ source: candidate.source, path: candidate.path, error: mismatch, wrongVersion: true });
      continue;
    }
    tried.push({ source: candidate.source, path: candidate.path });
    return { addon, status: { loaded: true, source: candidate.source, path: candidate.path, version: own.version, tried } };
  }
  return { status: { loaded: false, error: loadError(tried, candidates, own), tried } };
}

/** Why a binary of another build must not be used: its exports and command layout may differ. */
function versionMismatch(addon: NativeAddon, own: OwnPackage): string | undefined {
  if (addon.version === own.version) return undefined;
  const built = addon.version === undefined ? 'reports no version (an older build)' : `was built for ${own.name} ${addon.version}`;
  return `${built}; this is ${own.name} ${own.version}, which loads only its own version's binary`;
}

function loadError(tried: readonly AddonAttempt[], candidates: readonly AddonCandidate[], own: OwnPackage): MfioError {
  const causes = tried.map((attempt) => `  - ${attempt.source} ${attempt.path}: ${attempt.error}`);
  return new MfioError(
    'ERR_MFIO_ADDON_LOAD',
    `The ${own.name} native addon could not be loaded, so only the libuv backend is available:\n${causes.join('\n')}\n` +
      `Fix: ${addonFix(candidates, tried, own)}`,
  );
}
