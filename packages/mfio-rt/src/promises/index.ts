/**
 * `@mfio/rt/promises`: the shapes of `node:fs/promises` that random-access code uses, on mfio.
 * The top-level functions run on the default runtime (see `configure` in `@mfio/rt`);
 * {@link promisesOf} gives the same functions over any `Fs` (a netfs client, an S3 bucket).
 * Same arguments, errors and results as Node's, except where the README's table says otherwise.
 * @example
 * import { open } from '@mfio/rt/promises';
 * await using handle = await open('data.bin', 'r');
 * const { bytesRead, buffer } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
 * @module \@mfio/rt/promises
 */
import { fs } from '../runtime/default-rt.js';
import { promisesOf } from './fs-promises.js';

export {
  promisesOf,
  type FsPromises,
  type MkdirOptions,
  type PathLike,
  type ReadFileOptions,
  type ReaddirOptions,
  type RmOptions,
  type WriteFileData,
  type WriteFileOptions,
} from './fs-promises.js';
export { FileHandle, type CreateReadStreamOptions, type FileReadOptions, type FileReadResult, type FileWriteResult } from './file-handle.js';
export { Dirent, Stats } from './stats.js';

// Over the default runtime's lazy Fs: importing this module starts nothing.
const defaults = promisesOf(fs);

/** `fsPromises.open` on the default runtime. See {@link FsPromises.open}. */
export const open = defaults.open;
/** `fsPromises.readFile` on the default runtime. */
export const readFile = defaults.readFile;
/** `fsPromises.writeFile` on the default runtime. */
export const writeFile = defaults.writeFile;
/** `fsPromises.stat` on the default runtime. */
export const stat = defaults.stat;
/** `fsPromises.readdir` on the default runtime. */
export const readdir = defaults.readdir;
/** `fsPromises.mkdir` on the default runtime. */
export const mkdir = defaults.mkdir;
/** `fsPromises.rm` on the default runtime. */
export const rm = defaults.rm;
/** `fsPromises.rename` on the default runtime. */
export const rename = defaults.rename;
/** `fsPromises.unlink` on the default runtime. */
export const unlink = defaults.unlink;
