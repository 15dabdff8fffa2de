import type { MfioErrorCode } from '@mfio/core';
import type { DirHandle, OpenOptions } from '@mfio/rt';
import type { SuiteContext } from './context.js';

/** Expect `promise` to reject with an error whose `code` is `code`. */
async function rejectsWith(promise: Promise<unknown>, code: MfioErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

async function writeFile(dir: DirHandle, name: string, data: string | Uint8Array): Promise<void> {
  const file = await dir.openFile(name, { write: true, create: true, truncate: true });
  await file.writeAllAt(0, data);
  await file.close();
}

async function readFile(dir: DirHandle, name: string): Promise<string> {
  const file = await dir.openFile(name);
  try {
    return (await file.readToEnd()).toString();
  } finally {
    await file.close();
  }
}

async function names(dir: DirHandle, path = '.'): Promise<string[]> {
  const handle = path === '.' ? dir : await dir.openDir(path);
  const out: string[] = [];
  for await (const entry of handle.readDir()) out.push(entry.name);
  return out.sort();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the cases mfio's suite lacks: failure codes, EOF, extension, options, close. */
export function fsErrorCases(ctx: SuiteContext): void {
  describe('files', () => {
    ctx.test('invalid open options fail with EINVAL before any I/O', async () => {
      const dir = await ctx.scratch();
      const invalid: OpenOptions[] = [
        {},
        { truncate: true },
        { read: true, truncate: true },
        { create: true },
        { read: true, create: true },
        { createNew: true },
        { read: true, createNew: true },
        { append: true, truncate: true },
      ];
      for (const options of invalid) await rejectsWith(dir.openFile('x', options), 'EINVAL');
      await rejectsWith(dir.metadata('x'), 'ENOENT'); // nothing was created
      await expect(dir.openFile('x', { read: 'yes' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    });

    ctx.test('open: ENOENT without create, create makes the file, createNew fails with EEXIST', async () => {
      const dir = await ctx.scratch();
      await rejectsWith(dir.openFile('missing'), 'ENOENT');
      await rejectsWith(dir.openFile('missing', { write: true }), 'ENOENT');
      await (await dir.openFile('made', { write: true, create: true })).close();
      expect((await dir.metadata('made')).len).toBe(0);
      await rejectsWith(dir.openFile('made', { write: true, createNew: true }), 'EEXIST');
      await (await dir.openFile('made', { write: true, create: true })).close(); // create on an existing file is fine
      await rejectsWith(dir.openFile('no/such/dir/file', { write: true, create: true }), 'ENOENT');
    });

    ctx.test('open: a directory fails with EISDIR, a path through a file with ENOTDIR', async () => {
      const dir = await ctx.scratch();
      await dir.createDir('sub');
      await writeFile(dir, 'file', 'x');
      await rejectsWith(dir.openFile('sub'), 'EISDIR');
      await rejectsWith(dir.openFile('sub', { write: true }), 'EISDIR');
      await rejectsWith(dir.openFile('file/inner'), 'ENOTDIR');
      await rejectsWith(dir.openFile('file/inner', { write: true, create: true }), 'ENOTDIR');
    });

    ctx.test('truncate empties the file; append writes at the end whatever the position', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'hello world');
      await (await dir.openFile('f', { write: true, truncate: true })).close();
      expect((await dir.metadata('f')).len).toBe(0);
      await writeFile(dir, 'f', 'head');
      const appender = await dir.openFile('f', { append: true });
      await appender.writeAllAt(0, '-tail');
      await appender.writeAllAt(1, '!');
      await appender.close();
      expect(await readFile(dir, 'f')).toBe('head-tail!');
      const both = await dir.openFile('f', { read: true, append: true });
      await both.writeAllAt(0, '?');
      expect((await both.readToEnd()).toString()).toBe('head-tail!?');
      await both.close();
    });

    ctx.test('reads past the end are short: 0 bytes at or after it, the rest when straddling it', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', Buffer.alloc(100, 7));
      const file = await dir.openFile('f');
      expect((await file.readAt(100, 10)).length).toBe(0);
      expect((await file.readAt(1 << 30, 10)).length).toBe(0);
      expect(await file.readAt(95, 10)).toEqual(Buffer.alloc(5, 7));
      const into = Buffer.alloc(10, 1);
      expect(await file.readAt(98, into)).toBe(2);
      await expect(file.readExactAt(95, 10)).rejects.toMatchObject({ code: 'ERR_UNEXPECTED_EOF', bytesTransferred: 5 });
      await expect(
        file.readMany([
          [0, 10],
          [99, 5],
          [200, 5],
        ]),
      ).resolves.toMatchObject({ lengths: Float64Array.from([10, 1, 0]) });
      await file.close();
    });

    ctx.test('writes past the end extend the file, with zeros in the gap', async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('f', { read: true, write: true, create: true });
      await file.writeAllAt(1000, 'abc');
      expect((await file.metadata()).len).toBe(1003);
      const all = await file.readToEnd();
      expect(all.subarray(0, 1000)).toEqual(Buffer.alloc(1000));
      expect(all.subarray(1000).toString()).toBe('abc');
      await file.writeAllAt(1001, 'XYZW');
      expect((await file.readToEnd(998)).toString('latin1')).toBe('\0\0aXYZW');
      await file.close();
      expect((await dir.metadata('f')).len).toBe(1005);
    });

    ctx.test('a write or setLen 1 TiB out either makes a sparse file or fails with EFBIG (and never throws)', async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('f', { read: true, write: true, create: true });
      const far = 2 ** 40;
      const outcomes = [];
      for (const operation of [() => file.writeAllAt(far, 'x'), () => file.setLen(far + 10)]) {
        let promise!: Promise<void>;
        expect(() => (promise = operation())).not.toThrow(); // errors come through the promise
        const outcome = await promise.then(
          () => 'done',
          (error: { code?: string }) => error.code,
        );
        outcomes.push(outcome);
        if (outcome === 'done') await file.setLen(0);
        else expect(outcome).toBe('EFBIG');
      }
      expect((await file.readAt(0, 10)).length).toBe(0); // nothing was half-written
      await file.writeAllAt(0, 'ok'); // the handle (and the process) carry on
      expect((await file.readToEnd()).toString()).toBe('ok');
      await file.close();
    });

    ctx.test('setLen truncates and extends with zeros; sync succeeds; metadata follows', async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('f', { read: true, write: true, create: true });
      await file.writeAllAt(0, 'abcdef');
      await file.setLen(3);
      expect((await file.readToEnd()).toString()).toBe('abc');
      await file.setLen(6);
      expect(await file.readToEnd()).toEqual(Buffer.from('abc\0\0\0', 'latin1'));
      await file.sync();
      const meta = await file.metadata();
      expect(meta).toMatchObject({ len: 6, type: 'file' });
      expect(meta.modified?.getTime()).toEqual(expect.any(Number)); // a Date (maybe of another realm)
      await file.close();
      const readOnly = await dir.openFile('f');
      await rejectsWith(readOnly.setLen(0), 'EINVAL');
      await readOnly.close();
    });

    ctx.test('the modified time advances with a write', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'one');
      const before = (await dir.metadata('f')).modified!.getTime();
      await sleep(30);
      const file = await dir.openFile('f', { write: true });
      await file.writeAllAt(3, 'two');
      await file.close();
      const after = await dir.metadata('f');
      expect(after.modified!.getTime()).toBeGreaterThan(before);
      expect(after.len).toBe(6);
    });

    ctx.test('writes on a read-only handle and reads on a write-only handle fail with EBADF', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'data');
      const reader = await dir.openFile('f');
      await rejectsWith(reader.writeAt(0, 'x'), 'EBADF');
      await reader.close();
      const writer = await dir.openFile('f', { write: true });
      await rejectsWith(writer.readAt(0, 4), 'EBADF');
      await writer.close();
      expect(await readFile(dir, 'f')).toBe('data');
    });

    ctx.test('use after close rejects with EBADF; closing twice is fine', async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('f', { read: true, write: true, create: true });
      await file.close();
      await file.close();
      expect(file.closed).toBe(true);
      await rejectsWith(file.readAt(0, 1), 'EBADF');
      await rejectsWith(file.writeAt(0, 'x'), 'EBADF');
      await rejectsWith(file.metadata(), 'EBADF');
      await rejectsWith(file.setLen(0), 'EBADF');
      await rejectsWith(file.sync(), 'EBADF');
      await rejectsWith(file.datasync(), 'EBADF');
    });

    ctx.test('datasync, many sync and datasync calls at once among writes, and writeMany, all land', async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('f', { read: true, write: true, create: true });
      await file.writeAllAt(0, 'durable');
      await file.datasync();
      // Writers that each wait to be durable, as a database's commits do: they share flushes.
      await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          await file.writeAllAt(7 + i, String.fromCharCode(97 + i));
          await (i % 2 === 0 ? file.datasync() : file.sync());
        }),
      );
      expect((await file.readToEnd()).toString()).toBe('durableabcdefghijklmnop');
      // A batch of pages with one await, then durable.
      const pages = Array.from({ length: 32 }, (_, i) => [i * 4096, Buffer.alloc(4096, i + 1)] as const);
      await file.writeMany(pages);
      await file.datasync();
      const back = await file.readToEnd();
      expect(back.length).toBe(32 * 4096);
      for (const [position, page] of pages) expect(back.subarray(position, position + 4096).equals(page)).toBe(true);
      await file.close();
    });

    ctx.test('close waits for the flushes and calls already asked for: all resolve', async () => {
      const dir = await ctx.scratch();
      // Write-only and written from the start: every filesystem here can (S3 included).
      const file = await dir.openFile('f', { write: true, create: true });
      await file.writeAllAt(0, 'flush me');
      // Queued flushes start only at the end of the turn, after this close call.
      const flushes = [file.sync(), file.sync(), file.datasync(), file.datasync()];
      await file.close();
      await Promise.all(flushes);
      await rejectsWith(file.sync(), 'EBADF');
      // The other calls on the descriptor, too (metadata: a read-only handle cannot be flushed
      // everywhere; Windows refuses FlushFileBuffers without write access).
      const again = await dir.openFile('f');
      const calls = [again.metadata(), again.metadata()];
      await again.close();
      await Promise.all(calls);
      expect(await readFile(dir, 'f')).toBe('flush me');
    });

    ctx.test('close completes after the requests in flight on that handle', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', Buffer.alloc(1 << 20, 3));
      const file = await dir.openFile('f');
      let settled = 0;
      const reads: Array<Promise<Buffer>> = [];
      for (let i = 0; i < 64; i++) reads.push(file.readAt(i * 16384, 16384).finally(() => settled++));
      await file.close();
      expect(settled).toBe(64);
      const expected = Buffer.alloc(16384, 3);
      for (const read of reads) expect((await read).equals(expected)).toBe(true);
    });

    ctx.test('an aborted read rejects with ABORT_ERR; its buffer is released once the backend lets go', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', Buffer.alloc(65536, 9));
      const file = await dir.openFile('f');
      const controller = new AbortController();
      const buffer = Buffer.alloc(65536);
      const read = file.readAt(0, buffer, { signal: controller.signal });
      controller.abort();
      const error = (await read.catch((e: unknown) => e)) as { code: string; released?: Promise<void> };
      expect(error.code).toBe('ABORT_ERR');
      await error.released;
      await expect(file.readAt(0, 4)).resolves.toEqual(Buffer.alloc(4, 9)); // the handle still works
      await file.close();
    });

    ctx.test('many requests in flight on one handle land and read back in place', async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('f', { read: true, write: true, create: true });
      const blocks = Array.from({ length: 256 }, (_, i) => Buffer.alloc(4096, i));
      await Promise.all(blocks.map((block, i) => file.writeAllAt(i * 4096, block)));
      const back = await Promise.all(blocks.map((_, i) => file.readAt(i * 4096, 4096)));
      back.forEach((block, i) => expect(block.equals(blocks[i]!)).toBe(true));
      await file.close();
    });

    ctx.test('paths longer than 260 characters (Windows MAX_PATH) open, read and stat', async () => {
      const dir = await ctx.scratch();
      const deep = Array.from({ length: 6 }, (_, i) => `${'d'.repeat(50)}${i}`).join('/');
      await dir.createDirAll(deep);
      const name = `${deep}/${'f'.repeat(40)}`;
      expect(ctx.paths.join(dir.path(), name).length).toBeGreaterThan(300);
      await writeFile(dir, name, 'far away');
      expect(await readFile(dir, name)).toBe('far away');
      expect((await dir.metadata(name)).len).toBe(8);
      await rejectsWith(dir.openFile(`${deep}/missing`), 'ENOENT');
    });

    ctx.test('a file handle keeps working after its name is renamed', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'abc');
      const file = await dir.openFile('f', { read: true, write: true });
      await dir.rename('f', 'g');
      await file.writeAllAt(3, 'd');
      expect((await file.readToEnd()).toString()).toBe('abcd');
      await file.close();
      expect(await readFile(dir, 'g')).toBe('abcd');
    });
  });

  describe('directory operations', () => {
    ctx.test('createDir: creates; EEXIST; ENOENT without a parent; ENOTDIR under a file', async () => {
      const dir = await ctx.scratch();
      await dir.createDir('a');
      expect((await dir.metadata('a')).type).toBe('dir');
      await rejectsWith(dir.createDir('a'), 'EEXIST');
      await writeFile(dir, 'f', 'x');
      await rejectsWith(dir.createDir('f'), 'EEXIST');
      await rejectsWith(dir.createDir('b/c'), 'ENOENT');
      await rejectsWith(dir.createDir('f/c'), 'ENOTDIR');
    });

    ctx.test('createDirAll: creates parents; fine when it exists; EEXIST on a file; ENOTDIR through a file', async () => {
      const dir = await ctx.scratch();
      await dir.createDirAll('a/b/c/d');
      await dir.createDirAll('a/b/c/d');
      await dir.createDirAll('a/b');
      expect((await dir.metadata('a/b/c/d')).type).toBe('dir');
      await writeFile(dir, 'f', 'x');
      await rejectsWith(dir.createDirAll('f'), 'EEXIST');
      await rejectsWith(dir.createDirAll('f/g/h'), 'ENOTDIR');
    });

    ctx.test('removeDir: removes an empty directory; ENOTEMPTY; ENOENT; ENOTDIR on a file', async () => {
      const dir = await ctx.scratch();
      await dir.createDirAll('full/inner');
      await dir.createDir('empty');
      await writeFile(dir, 'f', 'x');
      await dir.removeDir('empty');
      await rejectsWith(dir.metadata('empty'), 'ENOENT');
      await rejectsWith(dir.removeDir('full'), 'ENOTEMPTY');
      await rejectsWith(dir.removeDir('missing'), 'ENOENT');
      await rejectsWith(dir.removeDir('f'), 'ENOTDIR');
      expect(await names(dir)).toEqual(['f', 'full']);
    });

    ctx.test('removeDirAll: removes a whole tree; ENOENT; ENOTDIR on a file (which stays)', async () => {
      const dir = await ctx.scratch();
      await dir.createDirAll('t/a/b');
      await writeFile(dir, 't/a/b/f', 'x');
      await writeFile(dir, 't/g', 'y');
      await writeFile(dir, 'f', 'z');
      await dir.removeDirAll('t');
      await rejectsWith(dir.metadata('t'), 'ENOENT');
      await rejectsWith(dir.removeDirAll('t'), 'ENOENT');
      await rejectsWith(dir.removeDirAll('f'), 'ENOTDIR');
      expect(await readFile(dir, 'f')).toBe('z');
    });

    ctx.test('removeFile: removes; ENOENT; EISDIR on a directory', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'x');
      await dir.createDir('d');
      await dir.removeFile('f');
      await rejectsWith(dir.metadata('f'), 'ENOENT');
      await rejectsWith(dir.removeFile('f'), 'ENOENT');
      await rejectsWith(dir.removeFile('d'), 'EISDIR');
    });

    ctx.test('rename: moves files and trees and replaces a file; ENOENT; EINVAL; EISDIR; ENOTDIR; ENOTEMPTY', async () => {
      const dir = await ctx.scratch();
      await dir.createDirAll('tree/sub');
      await writeFile(dir, 'tree/sub/f', 'deep');
      await writeFile(dir, 'a', 'A');
      await writeFile(dir, 'b', 'B');
      await dir.rename('a', 'b');
      expect(await readFile(dir, 'b')).toBe('A');
      await rejectsWith(dir.metadata('a'), 'ENOENT');
      await dir.rename('tree', 'moved');
      expect(await readFile(dir, 'moved/sub/f')).toBe('deep');
      await dir.rename('b', 'moved/sub/b');
      expect(await names(dir, 'moved/sub')).toEqual(['b', 'f']);
      await rejectsWith(dir.rename('missing', 'x'), 'ENOENT');
      await rejectsWith(dir.rename('moved/sub/b', 'nodir/b'), 'ENOENT');
      await rejectsWith(dir.rename('moved', 'moved/sub/inside'), 'EINVAL');
      await dir.createDir('empty');
      await rejectsWith(dir.rename('moved/sub/b', 'empty'), 'EISDIR');
      await rejectsWith(dir.rename('empty', 'moved/sub/b'), 'ENOTDIR');
      await dir.createDir('other');
      await rejectsWith(dir.rename('other', 'moved'), 'ENOTEMPTY');
      await dir.rename('other', 'empty'); // onto an empty directory: replaces it
      expect(await names(dir)).toEqual(['empty', 'moved']);
    });

    ctx.test('copy: copies the bytes and replaces the destination; ENOENT; EISDIR', async () => {
      const dir = await ctx.scratch();
      const data = Buffer.alloc(300_000).map((_, i) => (i * 7) & 0xff);
      await writeFile(dir, 'src', data);
      await writeFile(dir, 'dst', 'old contents that are longer');
      await dir.copy('src', 'dst');
      await dir.copy('src', 'fresh');
      for (const name of ['dst', 'fresh']) {
        const file = await dir.openFile(name);
        expect((await file.readToEnd()).equals(data)).toBe(true);
        await file.close();
      }
      await dir.createDir('d');
      await rejectsWith(dir.copy('missing', 'x'), 'ENOENT');
      await rejectsWith(dir.copy('d', 'x'), 'EISDIR');
      await rejectsWith(dir.copy('src', 'd'), 'EISDIR');
    });

    ctx.test('copy and rename of a file onto itself leave it as it was', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'same');
      await dir.rename('f', 'f');
      expect(await readFile(dir, 'f')).toBe('same');
      // copyfile(3) onto itself: Linux answers EINVAL or truncates nothing; the bytes must survive.
      await dir.copy('f', 'f').catch((error: { code?: string }) => expect(error.code).toBe('EINVAL'));
      expect(await readFile(dir, 'f')).toBe('same');
      await dir.hardLink('f', 'g');
      await dir.copy('f', 'g').catch((error: { code?: string }) => expect(error.code).toBe('EINVAL'));
      expect(await readFile(dir, 'g')).toBe('same');
      expect(await names(dir)).toEqual(['f', 'g']);
    });

    ctx.test('metadata hands out its own objects: changing one does not change the file', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'x');
      const first = await dir.metadata('f');
      const modified = first.modified!.getTime();
      first.modified!.setTime(0);
      first.accessed?.setTime(0);
      expect((await dir.metadata('f')).modified!.getTime()).toBe(modified);
    });

    ctx.test('hardLink: both names share the content; EEXIST; ENOENT; EPERM for a directory', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'a', 'one');
      await dir.hardLink('a', 'b');
      const file = await dir.openFile('b', { write: true });
      await file.writeAllAt(3, ' two');
      await file.close();
      expect(await readFile(dir, 'a')).toBe('one two');
      await dir.removeFile('a');
      expect(await readFile(dir, 'b')).toBe('one two');
      await writeFile(dir, 'c', 'x');
      await rejectsWith(dir.hardLink('b', 'c'), 'EEXIST');
      await rejectsWith(dir.hardLink('missing', 'd'), 'ENOENT');
      await dir.createDir('sub');
      await rejectsWith(dir.hardLink('sub', 'sub2'), 'EPERM');
    });

    ctx.test('setPermissions: the mode and the read-only flag show in metadata; ENOENT', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'x');
      await dir.setPermissions('f', { mode: 0o600 });
      expect((await dir.metadata('f')).permissions).toEqual({ mode: 0o600, readOnly: false });
      await dir.setPermissions('f', { readOnly: true });
      expect((await dir.metadata('f')).permissions).toEqual({ mode: 0o400, readOnly: true });
      await dir.setPermissions('f', { readOnly: false });
      expect((await dir.metadata('f')).permissions.readOnly).toBe(false);
      // As Rust's set_readonly(false): every write bit, not just the owner's.
      await dir.setPermissions('f', { mode: 0o444 });
      await dir.setPermissions('f', { readOnly: false });
      expect((await dir.metadata('f')).permissions).toEqual({ mode: 0o666, readOnly: false });
      await rejectsWith(dir.setPermissions('missing', { mode: 0o644 }), 'ENOENT');
    });

    ctx.test('metadata: type and length of files and directories; ENOENT; ENOTDIR through a file', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', '12345');
      await dir.createDir('d');
      expect(await dir.metadata('f')).toMatchObject({ len: 5, type: 'file' });
      expect(await dir.metadata('d')).toMatchObject({ type: 'dir' });
      expect(await dir.metadata()).toMatchObject({ type: 'dir' });
      await rejectsWith(dir.metadata('missing'), 'ENOENT');
      await rejectsWith(dir.metadata('f/x'), 'ENOTDIR');
    });

    ctx.test('openDir and readDir: ENOENT; ENOTDIR on a file; a removed directory reads as ENOENT', async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'x');
      await rejectsWith(dir.openDir('missing'), 'ENOENT');
      await rejectsWith(dir.openDir('f'), 'ENOTDIR');
      await dir.createDir('gone');
      const gone = await dir.openDir('gone');
      expect(await names(gone)).toEqual([]);
      await dir.removeDir('gone');
      await rejectsWith(names(gone), 'ENOENT');
      const sub = await dir.openDir('.');
      expect(sub.path()).toBe(dir.path());
    });

    ctx.test('a closed directory handle rejects with EBADF', async () => {
      const dir = await ctx.scratch();
      const handle = await dir.openDir('.');
      await handle.close();
      await rejectsWith(handle.openFile('x', { write: true, create: true }), 'EBADF');
      await rejectsWith(handle.metadata(), 'EBADF');
      await rejectsWith(handle.createDir('x'), 'EBADF');
      await rejectsWith(names(handle), 'EBADF');
      expect(await names(dir)).toEqual([]);
    });

    ctx.test("trailing separators and '.'/'..' after a file fail with ENOTDIR (as the kernel says), not silently", async () => {
      const dir = await ctx.scratch();
      await writeFile(dir, 'f', 'x');
      await dir.createDir('d');
      await rejectsWith(dir.openFile('f/'), 'ENOTDIR');
      await rejectsWith(dir.openFile('f/', { write: true, create: true }), 'EISDIR');
      await rejectsWith(dir.openFile('new/', { write: true, create: true }), 'EISDIR');
      await rejectsWith(dir.openFile('new/'), 'ENOENT');
      await rejectsWith(dir.openFile('d/'), 'EISDIR');
      await rejectsWith(dir.metadata('f/'), 'ENOTDIR');
      await rejectsWith(dir.metadata('f/.'), 'ENOTDIR');
      await rejectsWith(dir.metadata('f/..'), 'ENOTDIR');
      await rejectsWith(dir.openFile('f/../f'), 'ENOTDIR');
      await rejectsWith(dir.openDir('f/'), 'ENOTDIR');
      await rejectsWith(dir.removeFile('f/'), 'ENOTDIR');
      await rejectsWith(dir.setPermissions('f/', { mode: 0o644 }), 'ENOTDIR');
      await rejectsWith(dir.rename('f', 'g/'), 'ENOTDIR');
      await rejectsWith(dir.rename('f/', 'g'), 'ENOTDIR');
      await rejectsWith(dir.copy('f/', 'g'), 'ENOTDIR');
      await rejectsWith(dir.copy('f', 'g/'), 'EISDIR');
      await rejectsWith(dir.hardLink('f/', 'g'), 'ENOTDIR');
      await rejectsWith(dir.hardLink('f', 'g/'), 'ENOENT');
      await rejectsWith(dir.createDir('f/'), 'EEXIST');
      expect(await names(dir)).toEqual(['d', 'f']); // nothing was removed, moved or created
      expect(await readFile(dir, 'f')).toBe('x');
      // On directories the same spellings work.
      expect((await dir.metadata('d/')).type).toBe('dir');
      expect((await dir.metadata('d/.')).type).toBe('dir');
      await writeFile(dir, 'd/../g', 'y');
      expect(await readFile(dir, 'g')).toBe('y');
      await dir.rename('d/', 'e/');
      await dir.createDir('h/');
      await dir.removeDir('h/');
      expect(await names(dir)).toEqual(['e', 'f', 'g']);
    });

    ctx.test('invalid paths: not a string, a NUL byte, empty', async () => {
      const dir = await ctx.scratch();
      await expect(dir.openFile(42 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      await expect(dir.createDir('a\0b')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
      await rejectsWith(dir.openFile(''), 'ENOENT');
    });
  });
}
