import type { Stats } from 'node:fs';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, sep } from 'node:path';
import { MfioError, type SystemErrorCode } from '@mfio/core';
import { fromNodeError, type Fs } from '@mfio/rt';

/** Symlinks followed in one resolution, as Linux's MAXSYMLINKS. */
const MAX_LINKS = 40;

/**
 * Times a resolution looks again at an entry that was a symlink at its `lstat` and no longer one
 * (or gone) at its `readlink`. A local process swapping it hits that gap rarely, so one more look
 * almost always sees a settled entry; the bound only stops a tree that changes at every look.
 */
const MAX_CHANGES = 4;

/** The two calls a resolution makes; a test substitutes ones that change the tree in between. */
export interface PathProbe {
  lstat(path: string): Promise<Stats>;
  readlink(path: string): Promise<string>;
}

const hostProbe: PathProbe = { lstat: (path) => lstat(path), readlink: (path) => readlink(path) };

/** EACCES for a path that is not canonical or would leave the root; `path` is the client's. */
function refused(path: string, why: string): MfioError {
  const error = MfioError.fromCode('EACCES', { syscall: 'netfs', path });
  error.message += ` (${why})`;
  return error;
}

/** EAGAIN for a path whose entries kept changing under the walk: asking again may work. */
function changing(path: string): MfioError {
  const error = MfioError.fromCode('EAGAIN', { syscall: 'netfs', path });
  error.message += ` (changed while being resolved: a symlink was replaced ${MAX_CHANGES + 1} times between lstat and readlink)`;
  return error;
}

/**
 * The components of a client path, which must be canonical: `/` or `/a/b` with no empty, `.` or
 * `..` component and no `\` (a separator on Windows, and never produced by the client, which
 * resolves paths lexically before sending them). `:` is refused on Windows (drives, streams).
 * @throws {MfioError} EACCES for anything else.
 */
export function canonicalComponents(path: string): string[] {
  if (!path.startsWith('/')) throw refused(path, 'not absolute within the root');
  if (path === '/') return [];
  const parts = path.slice(1).split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') throw refused(path, 'not canonical');
    if (part.includes('\\') || (process.platform === 'win32' && part.includes(':'))) throw refused(path, 'not canonical');
  }
  return parts;
}

/** Maps a client path to the backend's path under the served root (see the two kinds below). */
export interface PathResolver {
  /** The served root, as the backend names it. */
  readonly root: string;
  /** The backend's path for client path `path`; `followLast` as {@link RootResolver.resolve}. */
  resolve(path: string, followLast: boolean): Promise<string>;
}

/**
 * For an `Fs` with a namespace of its own and no symlinks (object storage: `@mfio/s3`): a
 * canonical client path is joined under the root as it is. Nothing can lead out of the root:
 * there is no `..` in a canonical path and no link to follow.
 */
export class LexicalResolver implements PathResolver {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /**
   * @throws {MfioError} ENOENT / ENOTDIR (from the backend) when `root` is not a directory of `fs`.
   */
  static async create(fs: Fs, root: string): Promise<LexicalResolver> {
    const absolute = posix.resolve('/', root);
    if ((await fs.currentDir().metadata(absolute)).type !== 'dir') throw MfioError.fromCode('ENOTDIR', { syscall: 'netfs', path: root });
    return new LexicalResolver(absolute);
  }

  async resolve(path: string): Promise<string> {
    return posix.join(this.root, ...canonicalComponents(path));
  }
}

/**
 * Resolves client paths to host paths that stay under the served root. Each resolution walks
 * the path from the root's real path one component at a time with `lstat`, following symlinks
 * itself and refusing (EACCES) every step that would leave the root: `..` at the root, an
 * absolute target outside it, a relative target climbing out. The result has no symlink left
 * in it (as the walk saw the tree), so the backend's own resolution cannot be led elsewhere by
 * a link that was already there. A symlink replaced between its `lstat` and its `readlink` is
 * looked at again (at most {@link MAX_CHANGES} times, then EAGAIN).
 *
 * Not closed: a race with a local process that swaps a checked directory for a symlink between
 * the walk and the system call (clients themselves cannot create symlinks). openat2 with
 * RESOLVE_BENEATH would close it.
 */
export class RootResolver implements PathResolver {
  /** The root's real path (symlinks resolved), what every result starts with. */
  readonly root: string;
  readonly #probe: PathProbe;

  private constructor(root: string, probe: PathProbe) {
    this.root = root;
    this.#probe = probe;
  }

  /**
   * `probe`: the host's `lstat` and `readlink` unless a test needs to act between them.
   * @throws {MfioError} ENOENT / ENOTDIR when `root` is not a directory.
   */
  static async create(root: string, probe: PathProbe = hostProbe): Promise<RootResolver> {
    try {
      const real = await realpath(root);
      if (!(await stat(real)).isDirectory()) throw MfioError.fromCode('ENOTDIR', { syscall: 'netfs', path: root });
      return new RootResolver(real, probe);
    } catch (error) {
      throw fromNodeError(error, { syscall: 'realpath', path: root });
    }
  }

  /** True when `host` is the root or inside it. */
  contains(host: string): boolean {
    return host === this.root || host.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  /**
   * The host path of client path `path`. `followLast`: whether a symlink as the last component
   * is followed (as open, stat, chmod do) or named itself (as unlink, rename, mkdir do).
   * @throws {MfioError} EACCES (not canonical, or leading out), ELOOP (more than 40 links),
   * ENOENT / ENOTDIR where a missing or non-directory component is followed by `..` in a link,
   * EAGAIN when a local process keeps replacing a symlink on the path while it is walked.
   */
  async resolve(path: string, followLast: boolean): Promise<string> {
    const queue = canonicalComponents(path);
    let current = this.root;
    let links = 0;
    let changes = 0;
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        // `current` is a real directory path under the root (no links in it), so its parent is
        // what the kernel would step to.
        if (current === this.root) throw refused(path, 'leads outside the root');
        current = join(current, '..');
        continue;
      }
      const next = join(current, name);
      if (queue.length === 0 && !followLast) return next;
      let isLink: boolean;
      try {
        isLink = (await this.#probe.lstat(next)).isSymbolicLink();
      } catch (error) {
        const code = (error as { code?: SystemErrorCode }).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fromNodeError(error, { syscall: 'lstat', path });
        // Nothing below a missing entry can be a link, but a `..` after it (from a link's
        // target) must not be normalised away: the kernel fails there, and so do we.
        if (queue.includes('..')) throw MfioError.fromCode(code, { syscall: 'lstat', path });
        return join(next, ...queue.filter((part) => part !== '' && part !== '.'));
      }
      if (!isLink) {
        current = next;
        continue;
      }
      if (++links > MAX_LINKS) throw MfioError.fromCode('ELOOP', { syscall: 'netfs', path });
      let target: string;
      try {
        target = await this.#probe.readlink(next);
      } catch (error) {
        const code = (error as { code?: SystemErrorCode }).code;
        if (code !== 'EINVAL' && code !== 'ENOENT') throw fromNodeError(error, { syscall: 'readlink', path });
        // Replaced (EINVAL: no longer a symlink) or removed since its lstat: a local process is
        // changing it. Look at it again, as a walk that started now would.
        if (++changes > MAX_CHANGES) throw changing(path);
        links--;
        queue.unshift(name);
        continue;
      }
      if (isAbsolute(target)) {
        if (!this.contains(target)) throw refused(path, 'a symlink leads outside the root');
        current = this.root;
        queue.unshift(...splitTarget(target.slice(this.root.length)));
      } else {
        queue.unshift(...splitTarget(target));
      }
    }
    return current;
  }
}

/** A link target's components (either separator on Windows). */
function splitTarget(target: string): string[] {
  return target.split(sep === '\\' ? /[\\/]/ : /\//).filter((part) => part !== '');
}
