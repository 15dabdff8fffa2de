/**
 * @mfio/s3: S3-compatible object storage as an `@mfio/rt` `Fs`. `S3Fs.connect()` returns a
 * filesystem whose files are `PacketIo`: reads are ranged GETs (coalesced for readMany, split
 * for large reads, pinned to the version seen at open), writes are new objects (multipart).
 * @packageDocumentation
 */
export { S3Fs } from './s3-fs.js';
export type { CoalesceOptions, RetryOptions, S3Credentials, S3FsOptions } from './options.js';
export { planRanges, type PlannedRange } from './coalesce.js';
