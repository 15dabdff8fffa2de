/**
 * @mfio/netfs: a network filesystem for mfio. `NetFsServer` (and the `mfio-netfs-server`
 * command) serves a directory of any `@mfio/rt` Fs over TCP or TLS; `NetFs.connect` returns an
 * `Fs` whose files are `PacketIo`, with many requests in flight on one connection. The wire
 * protocol is docs/netfs-protocol.md.
 * @packageDocumentation
 */
export { NetFs } from './client/net-fs.js';
export type { NetFsConnectOptions } from './client/client-connection.js';
export { NetFsServer, isLoopback, type NetFsServerOptions } from './server/netfs-server.js';
export { createLogger, LOG_LEVELS, type LogLevel, type Logger } from './server/logger.js';
export { DEFAULT_LIMITS, type Limits } from './protocol/constants.js';
export { WIRE_ERROR_CODES, type WireErrorCode } from './protocol/error-codes.js';
/** The codes of the errors this package raises: defined, with their meanings, in @mfio/core's error-codes.ts. */
export type { ConnectErrorCode, MfioErrorCode, SystemErrorCode } from '@mfio/core';
