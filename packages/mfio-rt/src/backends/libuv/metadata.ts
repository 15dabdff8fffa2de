import type { Dirent, Stats } from 'node:fs';
import type { FileType, Metadata } from '../../fs/types.js';

/** The type of a `Stats` or a `Dirent`. */
export function fileTypeOf(entry: Stats | Dirent): FileType {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (entry.isSymbolicLink()) return 'symlink';
  return 'unknown';
}

/** Node's `Stats` as {@link Metadata}. A zero birth time means the filesystem keeps none. */
export function toMetadata(stats: Stats): Metadata {
  const mode = stats.mode & 0o7777;
  return {
    len: stats.size,
    modified: stats.mtime,
    accessed: stats.atime,
    created: stats.birthtimeMs > 0 ? stats.birthtime : null,
    permissions: { mode, readOnly: (mode & 0o222) === 0 },
    type: fileTypeOf(stats),
  };
}
