import { posix } from 'node:path';
import type { IoBackend, MfioError } from '@mfio/core';
import type { DirEntry, FsDriver, Metadata, OpenFlags, PathSyntax, RawFile } from '@mfio/rt';
import { headDetail, responseError, s3Error, type S3ErrorContext } from './errors.js';
import { anyUnder, listPages } from './list.js';
import type { S3Http } from './s3-http.js';
import { S3ReadFile, objectMetadata, type ObjectInfo } from './s3-read-file.js';
import { S3WriteFile } from './s3-write-file.js';
import { encodeKey, encodeRfc3986 } from './signer.js';

/** Deletes and copies run this many at a time when a whole directory is removed or renamed. */
const TREE_CONCURRENCY = 8;

/** What a directory reports: S3 keeps nothing for it but its name. */
const DIR_METADATA: Metadata = Object.freeze({
  len: 0,
  modified: null,
  accessed: null,
  created: null,
  permissions: Object.freeze({ mode: 0o755, readOnly: false }),
  type: 'dir',
});

/**
 * The S3 bucket as an `@mfio/rt` {@link FsDriver}; `DriverFs` on top gives it the `Fs` API
 * (path resolution, option checks, closed handles). Paths are POSIX; `/` is the bucket (or
 * the prefix). An object `a/b.bin` is the file `/a/b.bin`; a directory is any prefix ending in
 * `/` with keys under it, or an empty marker object `a/` that `createDir` stores, as the S3
 * consoles do.
 *
 * Not atomic, as S3 has no such operations: `rename` is copy then delete (a directory: key by
 * key), `removeDirAll` deletes key by key. A reader may see the state between two steps.
 */
export class S3Driver implements FsDriver {
  readonly backend: IoBackend;
  readonly paths: PathSyntax = posix;
  readonly cwd = '/';
  readonly #http: S3Http;

  constructor(http: S3Http) {
    this.#http = http;
    this.backend = { name: 's3', pollHandle: () => null, describeInFlight: () => http.describeInFlight() };
  }

  #key(path: string): string {
    return this.#http.key(path);
  }

  /** The key prefix of the directory `path` (`''`-relative to the bucket, ending in `/` unless the root of an unprefixed Fs). */
  #dirPrefix(path: string): string {
    return path === '/' ? this.#http.options.prefix : `${this.#key(path)}/`;
  }

  /** HEAD the object at `path`: its version and size, or null if there is none. */
  async #head(path: string, context: S3ErrorContext): Promise<ObjectInfo | null> {
    if (path === '/') return null;
    const response = await this.#http.call({ method: 'HEAD', key: this.#key(path), context }, true, (s) => s < 300 || s === 404);
    if (response.status === 404) return null;
    const modified = response.headers['last-modified'];
    return {
      size: Number(response.headers['content-length'] ?? 0),
      etag: String(response.headers.etag ?? ''),
      modified: typeof modified === 'string' ? new Date(modified) : null,
    };
  }

  /** Whether `path` is a directory: the root, or a prefix with keys (or a marker) under it. */
  #isDir(path: string, context: S3ErrorContext): Promise<boolean> {
    return path === '/' ? Promise.resolve(true) : anyUnder(this.#http, this.#dirPrefix(path), context);
  }

  /** What is at `path`: a file (with its info), a directory, or nothing. */
  async #stat(path: string, context: S3ErrorContext): Promise<ObjectInfo | 'dir' | null> {
    const info = await this.#head(path, context);
    if (info !== null) return info;
    return (await this.#isDir(path, context)) ? 'dir' : null;
  }

  /** ENOENT unless the parent of `path` is a directory (ENOTDIR if it or an ancestor is a file). */
  async #parentMustExist(path: string, context: S3ErrorContext): Promise<void> {
    const parent = posix.dirname(path);
    if (parent === '/') return;
    const what = await this.#stat(parent, context);
    if (what === null) throw s3Error(await this.#absent(parent, context), context);
    if (what !== 'dir') throw s3Error('ENOTDIR', context);
  }

  /**
   * Why nothing is at `path`: ENOTDIR when an ancestor is a file (as the kernel answers for
   * `file/inner`), else ENOENT. Only asked on the error path: one HEAD per ancestor, at once.
   */
  async #absent(path: string, context: S3ErrorContext): Promise<'ENOENT' | 'ENOTDIR'> {
    const ancestors: string[] = [];
    for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) ancestors.push(dir);
    const found = await Promise.all(ancestors.map((dir) => this.#head(dir, context)));
    return found.some((info) => info !== null) ? 'ENOTDIR' : 'ENOENT';
  }

  /**
   * The error for nothing at `path`, whose HEAD answered 404: ENOTDIR (see {@link #absent}) or
   * ENOENT naming the S3 code (NoSuchKey).
   */
  async #missing(path: string, context: S3ErrorContext): Promise<MfioError> {
    const code = await this.#absent(path, context);
    return code === 'ENOENT' ? s3Error(code, context, headDetail(404, 'object')) : s3Error(code, context);
  }

  async open(path: string, flags: OpenFlags): Promise<RawFile> {
    const context = { syscall: 'open', path };
    const writes = flags.write || flags.append;
    if (writes && flags.read) throw s3Error('EINVAL', context, 'an S3 object is opened for reading or for writing, not both');
    if (path === '/') throw s3Error('EISDIR', context);
    const info = await this.#head(path, context);
    if (!writes) {
      if (info !== null) return new S3ReadFile(this.#http, this.#key(path), path, info);
      if (await this.#isDir(path, context)) throw s3Error('EISDIR', context);
      throw await this.#missing(path, context);
    }
    if (info !== null) {
      if (flags.createNew) throw s3Error('EEXIST', context);
      if (!flags.truncate) return new S3WriteFile(this.#http, this.#key(path), path, false, info.size);
    } else {
      if (await this.#isDir(path, context)) throw s3Error('EISDIR', context);
      if (!flags.create && !flags.createNew) throw await this.#missing(path, context);
      await this.#parentMustExist(path, context);
    }
    return new S3WriteFile(this.#http, this.#key(path), path, flags.createNew);
  }

  async metadata(path: string): Promise<Metadata> {
    const context = { syscall: 'stat', path };
    const what = await this.#stat(path, context);
    if (what === null) throw await this.#missing(path, context);
    return what === 'dir' ? DIR_METADATA : objectMetadata(what);
  }

  async *readDir(path: string): AsyncGenerator<DirEntry> {
    const context = { syscall: 'scandir', path };
    const prefix = this.#dirPrefix(path);
    let seen = false;
    for await (const page of listPages(this.#http, prefix, true, context)) {
      const entries: DirEntry[] = [];
      for (const object of page.objects) {
        seen = true;
        const name = object.key.slice(prefix.length);
        if (name !== '' && !name.includes('/')) entries.push({ name, type: 'file' });
      }
      for (const dir of page.prefixes) {
        seen = true;
        const name = dir.slice(prefix.length, -1);
        if (name !== '') entries.push({ name, type: 'dir' });
      }
      if (!seen && path !== '/') {
        // Nothing under it: a file (ENOTDIR) or nothing at all.
        throw s3Error((await this.#head(path, context)) === null ? 'ENOENT' : 'ENOTDIR', context);
      }
      yield* entries;
    }
  }

  async createDir(path: string, recursive: boolean): Promise<void> {
    const context = { syscall: 'mkdir', path };
    if (path === '/') {
      if (recursive) return;
      throw s3Error('EEXIST', context);
    }
    const what = await this.#stat(path, context);
    if (what !== null) {
      if (recursive && what === 'dir') return;
      throw s3Error('EEXIST', context);
    }
    const dirs = [path];
    if (recursive) {
      // A marker for every missing ancestor, as mkdir -p leaves them; a file on the way is ENOTDIR.
      for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir)) dirs.push(dir);
      const found = await Promise.all(dirs.slice(1).map((dir) => this.#head(dir, context)));
      if (found.some((info) => info !== null)) throw s3Error('ENOTDIR', context);
    } else {
      await this.#parentMustExist(path, context);
    }
    await Promise.all(dirs.map((dir) => this.#http.call({ method: 'PUT', key: `${this.#key(dir)}/`, body: Buffer.alloc(0), context }, true)));
  }

  async removeDir(path: string): Promise<void> {
    const context = { syscall: 'rmdir', path };
    if (path === '/') throw s3Error('EBUSY', context);
    const prefix = this.#dirPrefix(path);
    let marker = false;
    let other = false;
    for await (const page of listPages(this.#http, prefix, true, context, 2)) {
      for (const object of page.objects) {
        if (object.key === prefix) marker = true;
        else other = true;
      }
      if (page.prefixes.length > 0) other = true;
      break;
    }
    if (other) throw s3Error('ENOTEMPTY', context);
    if (!marker) throw s3Error((await this.#head(path, context)) === null ? 'ENOENT' : 'ENOTDIR', context);
    await this.#delete(prefix, context);
  }

  async removeDirAll(path: string): Promise<void> {
    const context = { syscall: 'rm', path };
    if ((await this.#head(path, context)) !== null) throw s3Error('ENOTDIR', context);
    const keys = await this.#keysUnder(this.#dirPrefix(path), context);
    if (keys.length === 0 && path !== '/') throw s3Error('ENOENT', context);
    await eachLimited(keys, (key) => this.#delete(key, context));
  }

  async removeFile(path: string): Promise<void> {
    const context = { syscall: 'unlink', path };
    if ((await this.#head(path, context)) === null) {
      throw (await this.#isDir(path, context)) ? s3Error('EISDIR', context) : s3Error('ENOENT', context, headDetail(404, 'object'));
    }
    await this.#delete(this.#key(path), context);
  }

  async rename(from: string, to: string): Promise<void> {
    const context = { syscall: 'rename', path: from, dest: to };
    const source = await this.#stat(from, context);
    if (source === null) throw s3Error('ENOENT', context);
    if (from === to) return;
    const target = await this.#stat(to, context);
    await this.#parentMustExist(to, context);
    if (source !== 'dir') {
      if (target === 'dir') throw s3Error('EISDIR', context);
      await this.#copyObject(this.#key(from), this.#key(to), context);
      await this.#delete(this.#key(from), context);
      return;
    }
    if (from === '/' || to.startsWith(`${from}/`)) throw s3Error('EINVAL', context);
    if (target !== null && target !== 'dir') throw s3Error('ENOTDIR', context);
    if (target === 'dir') {
      const inside = await this.#keysUnder(this.#dirPrefix(to), context);
      if (inside.some((key) => key !== this.#dirPrefix(to))) throw s3Error('ENOTEMPTY', context);
    }
    // Key by key: copy all, then delete all, so a failure midway leaves the source whole.
    const fromPrefix = this.#dirPrefix(from);
    const toPrefix = this.#dirPrefix(to);
    const keys = await this.#keysUnder(fromPrefix, context);
    await eachLimited(keys, (key) => this.#copyObject(key, toPrefix + key.slice(fromPrefix.length), context));
    await eachLimited(keys, (key) => this.#delete(key, context));
  }

  async copy(from: string, to: string): Promise<void> {
    const context = { syscall: 'copyfile', path: from, dest: to };
    const source = await this.#stat(from, context);
    if (source === null) throw s3Error('ENOENT', context);
    if (source === 'dir' || (await this.#isDir(to, context))) throw s3Error('EISDIR', context);
    await this.#parentMustExist(to, context);
    await this.#copyObject(this.#key(from), this.#key(to), context);
  }

  async hardLink(from: string, to: string): Promise<void> {
    // What link(2) answers on a filesystem without hard links.
    throw s3Error('EPERM', { syscall: 'link', path: from, dest: to }, 'S3 has no links');
  }

  async setPermissions(path: string): Promise<void> {
    const context = { syscall: 'chmod', path };
    if ((await this.#stat(path, context)) === null) throw s3Error('ENOENT', context);
    throw s3Error('EPERM', context, 'S3 objects have no permission bits');
  }

  /** Every key under `prefix`, all pages, no delimiter. */
  async #keysUnder(prefix: string, context: S3ErrorContext): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of listPages(this.#http, prefix, false, context)) for (const object of page.objects) keys.push(object.key);
    return keys;
  }

  async #delete(key: string, context: S3ErrorContext): Promise<void> {
    await this.#http.call({ method: 'DELETE', key, context }, true, (s) => s < 300 || s === 404);
  }

  /** CopyObject (server side; S3 limits one copy to 5 GiB). */
  async #copyObject(fromKey: string, toKey: string, context: S3ErrorContext): Promise<void> {
    const source = `/${encodeRfc3986(this.#http.options.bucket)}/${encodeKey(fromKey)}`;
    const response = await this.#http.call({ method: 'PUT', key: toKey, headers: { 'x-amz-copy-source': source }, context }, true);
    // CopyObject may answer 200 and still fail, with an <Error> body.
    if (response.body.includes('<Error>')) throw responseError(500, response.body.toString('utf8'), context);
  }
}

/** Run `task` on every item, at most {@link TREE_CONCURRENCY} at a time; the first failure rejects (after the others settle). */
async function eachLimited<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  // In an object: the workers set it, and TypeScript's narrowing does not see closures do.
  const failed: { error: Error | null } = { error: null };
  const worker = async (): Promise<void> => {
    while (next < items.length && failed.error === null) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failed.error ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TREE_CONCURRENCY, items.length) }, worker));
  if (failed.error !== null) throw failed.error;
}
