import * as nodeFs from 'node:fs';
import * as nodePath from 'node:path';
import type { MfioError } from '@mfio/core';
import { systemError } from '../../errors.js';

const fsp = nodeFs.promises;

/** What `path` is: 'dir', 'other' (a file, a link), or null when nothing is there. */
async function kindOf(path: string): Promise<'dir' | 'other' | null> {
  return fsp.stat(path).then(
    (stats) => (stats.isDirectory() ? 'dir' : 'other'),
    () => null,
  );
}

/** Whether one of the directories `path` goes through is not a directory (Linux's ENOTDIR). */
async function throughAFile(path: string): Promise<boolean> {
  let parent = nodePath.win32.dirname(path);
  const chain: string[] = [];
  while (parent !== nodePath.win32.dirname(parent)) {
    chain.unshift(parent);
    parent = nodePath.win32.dirname(parent);
  }
  for (const dir of chain) {
    const kind = await kindOf(dir);
    if (kind === null) return false;
    if (kind === 'other') return true;
  }
  return false;
}

/**
 * libuv on Windows answers some failures with other codes than Linux: ENOENT for a path that
 * goes through a file (Linux: ENOTDIR) or for rmdir of a file (ENOTDIR), EPERM for unlinking a
 * directory (EISDIR). Called after a failure only, on Windows only: the same code as Linux, so
 * a program sees the same error on either backend and either OS.
 */
export async function linuxCodeOnWindows(error: MfioError, syscall: string, path: string, dest?: string): Promise<MfioError> {
  const context = dest === undefined ? { syscall, path, cause: error } : { syscall, path, dest, cause: error };
  if (error.code === 'ENOENT') {
    if (syscall === 'rmdir' && (await kindOf(path)) === 'other') return systemError('ENOTDIR', context);
    if (await throughAFile(path)) return systemError('ENOTDIR', context);
    if (dest !== undefined && (await kindOf(path)) !== null && (await throughAFile(dest))) return systemError('ENOTDIR', context);
  }
  if ((error.code === 'EPERM' || error.code === 'EACCES') && syscall === 'unlink' && (await kindOf(path)) === 'dir') {
    return systemError('EISDIR', context);
  }
  return error;
}

/**
 * rename(2)'s rules where Windows' MoveFileExW differs: a file cannot replace a directory
 * (EISDIR), a directory cannot replace a file (ENOTDIR; Wine's MoveFileExW even lets it), and a
 * directory replaces an empty directory (Windows refuses) but not another one (ENOTEMPTY).
 * Returns false when the plain rename should run.
 */
export async function renameAsLinux(from: string, to: string): Promise<boolean> {
  const [fromKind, toKind] = await Promise.all([kindOf(from), kindOf(to)]);
  if (fromKind === null || toKind === null) return false;
  const context = { syscall: 'rename', path: from, dest: to };
  if (fromKind !== 'dir' && toKind === 'dir') throw systemError('EISDIR', context);
  if (fromKind === 'dir' && toKind !== 'dir') throw systemError('ENOTDIR', context);
  if (fromKind === 'dir' && toKind === 'dir' && nodePath.win32.relative(from, to) !== '') {
    if ((await fsp.readdir(to)).length > 0) throw systemError('ENOTEMPTY', context);
    await fsp.rmdir(to);
  }
  return false;
}
