import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetFs } from '../src/index.js';
import { PROCESS_TIMEOUT, startServerProcess } from './support/server-process.js';
import { startServer, type TestServer } from './support/servers.js';

/** The permission bits of a host path, setuid, setgid and sticky included. */
async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o7777;
}

/**
 * SET_PERMISSIONS with setuid, setgid or sticky (a mode above 0o777) is refused with EPERM
 * unless the server allows it (`allowSpecialModeBits`, `--allow-special-mode-bits`): a client
 * could otherwise make a file it wrote run as the server's user for anyone on the host.
 */
describe('setuid, setgid and sticky bits', () => {
  describe('by default', () => {
    let s: TestServer;
    let fs: NetFs;
    beforeAll(async () => {
      s = await startServer();
      await writeFile(join(s.root, 'tool'), '#!/bin/sh\n');
      await mkdir(join(s.root, 'shared'));
      fs = await NetFs.connect({ port: s.port });
    });
    afterAll(async () => {
      await fs.close();
      await s.close();
    });

    test('a mode with any of them is refused with EPERM and changes nothing', async () => {
      await fs.currentDir().setPermissions('tool', { mode: 0o700 });
      await fs.currentDir().setPermissions('shared', { mode: 0o750 });
      for (const mode of [0o4755, 0o2755, 0o1755, 0o7777, 0o4000]) {
        await expect(fs.currentDir().setPermissions('tool', { mode })).rejects.toMatchObject({ code: 'EPERM' });
        await expect(fs.currentDir().setPermissions('shared', { mode })).rejects.toMatchObject({ code: 'EPERM' });
      }
      expect(await modeOf(join(s.root, 'tool'))).toBe(0o700);
      expect(await modeOf(join(s.root, 'shared'))).toBe(0o750);
    });

    test('a copy of a setuid file does not keep setuid, setgid or sticky', async () => {
      await writeFile(join(s.root, 'suid'), '#!/bin/sh\n');
      await chmod(join(s.root, 'suid'), 0o6755); // made on the host, not through the client
      await fs.currentDir().copy('suid', 'suid-copy');
      expect(await modeOf(join(s.root, 'suid-copy'))).toBe(0o755);
      expect(await modeOf(join(s.root, 'suid'))).toBe(0o6755);
    });

    test('plain permission bits are still set', async () => {
      await fs.currentDir().setPermissions('tool', { mode: 0o755 });
      expect(await modeOf(join(s.root, 'tool'))).toBe(0o755);
      await fs.currentDir().setPermissions('shared', { mode: 0o777 });
      expect(await modeOf(join(s.root, 'shared'))).toBe(0o777);
    });
  });

  test('allowSpecialModeBits: true lets a client set them', async () => {
    const s = await startServer({ allowSpecialModeBits: true });
    const fs = await NetFs.connect({ port: s.port });
    try {
      await writeFile(join(s.root, 'tool'), '#!/bin/sh\n');
      await mkdir(join(s.root, 'shared'));
      await fs.currentDir().setPermissions('tool', { mode: 0o4755 });
      await fs.currentDir().setPermissions('shared', { mode: 0o1777 });
      expect(await modeOf(join(s.root, 'tool'))).toBe(0o4755);
      await fs.currentDir().copy('tool', 'tool-copy');
      expect(await modeOf(join(s.root, 'tool-copy'))).toBe(0o4755); // allowed: a copy keeps them
      expect(await modeOf(join(s.root, 'shared'))).toBe(0o1777);
      expect((await fs.currentDir().metadata('tool')).permissions.mode & 0o7777).toBe(0o4755);
    } finally {
      await fs.close();
      await s.close();
    }
  });

  test(
    'the CLI turns it on with --allow-special-mode-bits and says so',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'mfio-netfs-modes-'));
      const server = await startServerProcess(['--root', root, '--allow-special-mode-bits', '--log-level', 'info']);
      try {
        await writeFile(join(root, 'tool'), '#!/bin/sh\n');
        const fs = await NetFs.connect({ port: server.port });
        await fs.currentDir().setPermissions('tool', { mode: 0o4755 });
        await fs.close();
        expect(await modeOf(join(root, 'tool'))).toBe(0o4755);
        expect(server.log.some((line) => line.includes('clients may set setuid, setgid and sticky'))).toBe(true);
      } finally {
        await server.kill();
        await rm(root, { recursive: true, force: true });
      }
    },
    PROCESS_TIMEOUT + 60_000,
  );
});
