import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetFs } from '../src/index.js';
import { RootResolver, type PathProbe } from '../src/server/root-paths.js';
import { HANG_MS, startServer, within } from './support/servers.js';

/**
 * A local process replacing a symlink on a path while the server walks it: between the walk's
 * `lstat` (a symlink) and its `readlink` (not one any more, or gone). The walk looks again, a
 * bounded number of times, so the client sees the tree as it is (or EAGAIN if it changed at
 * every look), never readlink's bare EINVAL.
 */
describe('a symlink replaced while a path is resolved', () => {
  let root: string;
  let link: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mfio-netfs-race-'));
    await mkdir(join(root, 'dir'));
    await writeFile(join(root, 'dir', 'f'), 'through the link');
    await symlink('dir', join(root, 'link'));
    link = join(root, 'link');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** The host's calls, with `beforeReadlink` run first when the walk reads `link`. */
  const probe = (beforeReadlink: () => Promise<void>, beforeLstat = async (): Promise<void> => undefined): PathProbe => ({
    lstat: async (path) => {
      if (path === link) await beforeLstat();
      return lstat(path);
    },
    readlink: async (path) => {
      if (path === link) await beforeReadlink();
      return readlink(path);
    },
  });
  /** Make `link` a directory holding `f`, or a symlink to `dir` again. */
  const toDir = async (): Promise<void> => {
    await unlink(link);
    await mkdir(link);
    await writeFile(join(link, 'f'), 'swapped in');
  };
  const toLink = async (): Promise<void> => {
    await rm(link, { recursive: true });
    await symlink('dir', link);
  };

  test('replaced by a directory between lstat and readlink: the walk looks again and goes into it', async () => {
    let swaps = 0;
    const resolver = await RootResolver.create(
      root,
      probe(async () => void (swaps++ === 0 && (await toDir()))),
    );
    const host = await resolver.resolve('/link/f', true);
    expect(swaps).toBe(1);
    expect(host).toBe(join(resolver.root, 'link', 'f'));
    expect(await readFile(host, 'utf8')).toBe('swapped in');
  });

  test('removed between lstat and readlink: resolved as a missing entry, as a walk starting then would', async () => {
    const resolver = await RootResolver.create(
      root,
      probe(() => unlink(link)),
    );
    expect(await resolver.resolve('/link/f', true)).toBe(join(resolver.root, 'link', 'f'));
  });

  test('replaced at every look: EAGAIN "changed while being resolved" after 5 looks', async () => {
    let looks = 0;
    const resolver = await RootResolver.create(
      root,
      probe(
        async () => {
          looks++;
          await toDir();
        },
        async () => {
          if ((await lstat(link)).isDirectory()) await toLink();
        },
      ),
    );
    await expect(resolver.resolve('/link/f', true)).rejects.toMatchObject({ code: 'EAGAIN', message: expect.stringContaining('changed while being resolved') });
    expect(looks).toBe(5);
  });

  test('OPEN_FILE against a process swapping the link in a loop: answers are a handle, ENOENT or EAGAIN', async () => {
    const s = await startServer({ root });
    // Another process, so the swaps run truly beside the server's walks. Between the swaps the
    // name is missing or an empty directory for a moment: ENOENT then is the tree as it was.
    const swapper = spawn(
      process.execPath,
      [
        '-e',
        // It stops by itself: after a bound, or once its parent (this jest worker) is gone.
        `const fs = require('fs'); const link = ${JSON.stringify(link)}; const end = Date.now() + ${4 * HANG_MS};
         while (Date.now() < end && process.ppid === ${process.pid}) { fs.unlinkSync(link); fs.mkdirSync(link); fs.writeFileSync(link + '/f', 'y'); fs.unlinkSync(link + '/f'); fs.rmdirSync(link); fs.symlinkSync('dir', link); }`,
      ],
      { stdio: 'ignore' },
    );
    const fs = await NetFs.connect({ port: s.port });
    try {
      const answers = new Map<string, number>();
      // 3,200 opens, 32 at a time; the swapper hit the gap in about one in ten of them before.
      for (let round = 0; round < 100; round++) {
        await within(
          Promise.all(
            Array.from({ length: 32 }, async () => {
              let answer = 'handle';
              try {
                await (await fs.open('link/f')).close();
              } catch (error) {
                answer = (error as { code?: string }).code ?? String(error);
              }
              answers.set(answer, (answers.get(answer) ?? 0) + 1);
            }),
          ),
          30_000,
          `round ${round} of the opens`,
        );
      }
      expect([...answers.keys()].filter((answer) => !['handle', 'ENOENT', 'EAGAIN'].includes(answer))).toEqual([]);
    } finally {
      swapper.kill('SIGKILL');
      await fs.close();
      await s.close();
    }
  });
});
