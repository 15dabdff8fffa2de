import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MfioError } from '@mfio/core';
import { packageRoot } from './addon-location.js';

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
   * io_uring_register refused) and `registeredFiles` (files it opened, now in its file table).
   */
  info(): {
    capacity: number;
    inFlight: number;
    fd: number;
    threads?: number;
    awake?: number;
    target?: number;
    fixedFiles?: string;
    registeredFiles?: number;
  };
}

/** new Executor(size, completions: Int32Array, onCompletions) */
export type NativeExecutorClass = new (size: number, completions: Int32Array, onCompletions: (count: number) => void) => NativeExecutor;

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
  readonly bytesMapped: number;
  /** In blocks handed out whose Buffer has not been collected yet (a block's whole size class). */
  readonly bytesLive: number;
  /** In wholly free chunks, kept for reuse up to `keepBytes`. */
  readonly bytesEmpty: number;
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
  readonly keepBytes: number;
  readonly maxBytes: number;
  /** The host refuses external buffers (no arena here). */
  readonly disabled: boolean;
}

export interface NativeAddon extends Partial<NativeSockets> {
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
  /** Present where the thread pool was compiled in (Linux, macOS and other Unixes); `size` is its thread count. */
  ThreadpoolExecutor?: NativeExecutorClass;
  /** Present on Windows (src/native/iocp/): an I/O completion port; `size` is advisory. */
  IocpExecutor?: NativeExecutorClass;
}

/**
 * Where the addon may be, in the order tried: `MFIO_ADDON` when set (a sanitizer or debug build;
 * then nothing else is tried), a local build, then a prebuilt binary. On Windows the local
 * build is first the one cross-built from Linux (`pnpm build:win32`, build-win32/), then one
 * made on Windows itself (build/).
 */
export function addonCandidates(): string[] {
  const explicit = process.env.MFIO_ADDON;
  if (explicit) return [explicit];
  return [
    ...(process.platform === 'win32' ? [join(packageRoot, 'build-win32', 'Release', 'mfio_rt.node')] : []),
    join(packageRoot, 'build', 'Release', 'mfio_rt.node'),
    join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, 'mfio_rt.node'),
  ];
}

let cached: { addon: NativeAddon } | { error: MfioError } | undefined;

/**
 * Load the native addon once.
 * @throws {MfioError} ERR_MFIO_ADDON_LOAD listing every path tried, why each failed, and the fix.
 */
export function loadAddon(): NativeAddon {
  if (cached === undefined) cached = tryLoad();
  if ('error' in cached) throw cached.error;
  return cached.addon;
}

function tryLoad(): { addon: NativeAddon } | { error: MfioError } {
  const require = createRequire(join(packageRoot, 'package.json'));
  const causes: string[] = [];
  for (const path of addonCandidates()) {
    try {
      return { addon: require(path) as NativeAddon };
    } catch (error) {
      const reason = (error as { code?: string }).code === 'MODULE_NOT_FOUND' ? 'not found' : String((error as Error).message);
      causes.push(`  - ${path}: ${reason}`);
    }
  }
  return {
    error: new MfioError(
      'ERR_MFIO_ADDON_LOAD',
      `The @mfio/rt native addon could not be loaded:\n${causes.join('\n')}\n` +
        'Fix: build it with `pnpm --filter @mfio/rt build:native` (needs cmake and a C++17 compiler, ' +
        'e.g. `apt-get install cmake g++`). Until then only the libuv backend is available.',
    ),
  };
}
