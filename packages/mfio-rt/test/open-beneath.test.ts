// DirHandle.openFileBeneath: the kernel (openat2 RESOLVE_BENEATH) refuses every way out of the
// directory on the native backends; the others say ENOSYS rather than pretend.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt, type BackendName, type DirHandle } from '../src/index.js';

const results = NativeRt.builder().enableAll().buildEach();
for (const r of results) void r.rt?.close();
const native = results.filter((r) => r.rt !== undefined && (r.name === 'io_uring' || r.name === 'threadpool')).map((r) => r.name);

describe('DirHandle.openFileBeneath()', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'mfio-beneath-'));
    await mkdir(join(base, 'root', 'sub'), { recursive: true });
    await writeFile(join(base, 'secret.txt'), 'outside');
    await writeFile(join(base, 'root', 'sub', 'a.txt'), 'inside');
    await symlink('../secret.txt', join(base, 'root', 'out-rel'));
    await symlink(join(base, 'secret.txt'), join(base, 'root', 'out-abs'));
    await symlink('sub/a.txt', join(base, 'root', 'in-link'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  const withRoot = async (name: BackendName, body: (root: DirHandle) => Promise<void>): Promise<void> => {
    const rt = NativeRt.builder().enable(name).build();
    try {
      await body(await rt.currentDir().openDir(join(base, 'root')));
    } finally {
      await rt.close();
    }
  };

  describe.each(native)('%s', (name) => {
    test('opens files under the directory, through symlinks that stay inside', async () => {
      await withRoot(name, async (root) => {
        for (const path of ['sub/a.txt', 'in-link', 'sub/../sub/a.txt']) {
          const file = await root.openFileBeneath(path);
          expect((await file.readToEnd()).toString()).toBe('inside');
          await file.close();
        }
      });
    });

    test('refuses every way out with EXDEV: .., absolute paths, symlinks leading out', async () => {
      await withRoot(name, async (root) => {
        for (const path of ['../secret.txt', 'sub/../../secret.txt', join(base, 'secret.txt'), 'out-rel', 'out-abs']) {
          await expect(root.openFileBeneath(path)).rejects.toMatchObject({ code: 'EXDEV', syscall: 'openat2' });
        }
        await expect(root.openFileBeneath('../made.txt', { write: true, create: true })).rejects.toMatchObject({ code: 'EXDEV' });
      });
    });

    test('a directory is EISDIR and a missing file ENOENT, as with openFile', async () => {
      await withRoot(name, async (root) => {
        await expect(root.openFileBeneath('sub')).rejects.toMatchObject({ code: 'EISDIR' });
        await expect(root.openFileBeneath('nope.txt')).rejects.toMatchObject({ code: 'ENOENT' });
      });
    });
  });

  test('the libuv backend has no such open: ENOSYS, not an unchecked open', async () => {
    await withRoot('libuv', async (root) => {
      await expect(root.openFileBeneath('sub/a.txt')).rejects.toMatchObject({ code: 'ENOSYS' });
    });
  });
});
