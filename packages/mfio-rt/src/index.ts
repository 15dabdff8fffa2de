/**
 * @mfio/rt: the mfio runtime for Node.js. `Fs` (directories and files, where every file is a
 * `PacketIo` at positions with the whole `@mfio/core` API) and `Tcp` (streams that are
 * `PacketIo` without position), on a backend chosen by `NativeRt.builder()`: io_uring, IOCP or
 * the native thread pool when their addon is built, libuv (`node:fs`/`node:net`) everywhere.
 * `VirtFs` is the same `Fs` in memory. Backend authors implement an `FsDriver` and a
 * `TcpDriver`; `DriverFs` and `DriverTcp` supply everything else. Every error is an `MfioError`
 * whose `code` is one of {@link @mfio/core!MfioErrorCode | MfioErrorCode}, each defined with its
 * meaning in @mfio/core.
 * @module \@mfio/rt
 */
export type { Diagnostics, DirEntry, DirHandle, FileHandle, FileType, Fs, Metadata, Permissions, PermissionsChange } from './fs/types.js';
export { toOpenFlags, type OpenFlags, type OpenOptions } from './fs/open-options.js';
export type { DirectAlignment, DirectIoStats } from './fs/direct/direct-types.js';
export type { FsDriver, PathSyntax, RawFile } from './fs/driver.js';
export { DriverFs } from './fs/driver-fs.js';
export { DriverFile } from './fs/file.js';
export { SocketFileSplice, SPLICE_ENV, type FileSpliceStats } from './fs/socket-file-splice.js';
export type { ListenOptions, Tcp, TcpListener, TcpStream } from './net/types.js';
export type { RawListener, RawStream, ShutdownHow, SocketAddress, TcpDriver } from './net/driver.js';
export { DriverTcp } from './net/driver-tcp.js';
export { NativeRt, NativeRtBuilder, BACKENDS_ENV, type BuildFailure, type BuildResult, type RtDiagnostics } from './runtime/native-rt.js';
export { FALLBACK_WARNING_CODE } from './runtime/fallback-warning.js';
export { configure, defaultRt, fs, open, readFile, writeFile, type DefaultRtOptions } from './runtime/default-rt.js';
export type { AddonAttempt, AddonStatus } from './native/addon.js';
export type { AddonSource } from './native/addon-candidates.js';
export { BACKEND_ORDER, type BackendName } from './backends/contract.js';
export { DELIVERY_ENV, type Delivery, type DeliveryPath } from './backends/delivery.js';
export { LibuvFsDriver, LibuvTcpDriver } from './backends/libuv/index.js';
export { VirtFs, type VirtFsOptions } from './backends/virt/virt-fs.js';
export { fromNodeError, type SystemErrorContext } from './errors.js';
/** The codes of the errors this package raises: defined, with their meanings, in @mfio/core's error-codes.ts. */
export type { MfioCode, MfioErrorCode, SystemErrorCode } from '@mfio/core';
export { alignedBuffer } from './aligned-buffer.js';
export { arenaBuffer, arenaStats, configureArena, trimArena, type ArenaBufferOptions, type ArenaOptions, type ArenaStats } from './memory/read-arena.js';
