import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';

/**
 * Drop the file's pages from the page cache (posix_fadvise DONTNEED, through GNU dd's nocache
 * flag: Node has no fadvise). Returns false where that is not possible (not Linux, no dd).
 */
export function dropCache(file: string): boolean {
  if (process.platform !== 'linux') return false;
  const result = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  return result.status === 0;
}

/** Read the whole file once so every later read is a page-cache hit. */
export async function warmCache(file: string): Promise<void> {
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 })) {
    // reading is the point
  }
}
