import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NetFs } from '../src/index.js';
import { PROCESS_TIMEOUT, runCli, startServerProcess } from './support/server-process.js';
import { HANG_MS, within } from './support/servers.js';

const run = promisify(execFile);

// Up to four server processes one after the other per test, each bounded by PROCESS_TIMEOUT.
jest.setTimeout(5 * PROCESS_TIMEOUT);

describe('mfio-netfs-server', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mfio-netfs-cli-'));
    await writeFile(join(root, 'f'), 'served');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mfio-netfs-server --root DIR/);
    for (const option of ['--listen', '--token-file', '--tls-cert', '--tls-key', '--read-only', '--allow-special-mode-bits', '--backend', '--log-level'])
      expect(stdout).toContain(option);
  });

  test('-h is --help; the help points at the README shipped in the package, and at npm', async () => {
    const long = await runCli(['--help']);
    expect(await runCli(['-h'])).toEqual(long);
    const { version } = JSON.parse(await readFile(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(long.stdout).toContain(`Documentation (@mfio/netfs ${version}): ${join(__dirname, '..', 'README.md')}\n`);
    expect(long.stdout).toContain('online: https://www.npmjs.com/package/@mfio/netfs');
    expect(long.stdout).not.toMatch(/docs\//); // no path of the source repository
    // What npm puts in the tarball (package.json "files"): the README and the bin.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: join(__dirname, '..'), timeout: PROCESS_TIMEOUT });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'bin/mfio-netfs-server.js', 'dist/server/cli.js', 'dist/cjs/index.js']));
  });

  test('--version prints the version, from the installed bin', async () => {
    const { version } = JSON.parse(await readFile(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    const bin = join(__dirname, '..', 'bin', 'mfio-netfs-server.js');
    expect(await run(process.execPath, [bin, '--version'], { timeout: PROCESS_TIMEOUT })).toEqual({ stdout: `${version}\n`, stderr: '' });
    expect((await runCli(['--version'])).stdout).toBe(`${version}\n`);
  });

  test('bad arguments exit 2 with a message', async () => {
    expect(await runCli([])).toMatchObject({ code: 2, stderr: expect.stringContaining('--root DIR is required') });
    expect(await runCli(['--root', root, '--bogus'])).toMatchObject({ code: 2 });
    expect(await runCli(['--root', root, '--backend', 'nope'])).toMatchObject({ code: 2 });
    expect(await runCli(['--root', root, '--listen', 'nowhere'])).toMatchObject({ code: 2 });
  });

  test('a non-loopback address without a token is refused', async () => {
    const { code, stderr } = await runCli(['--root', root, '--listen', '0.0.0.0:0']);
    expect(code).toBe(1);
    expect(stderr).toContain('without a token');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} stops it cleanly with exit 0; its client sees ECONNRESET`, async () => {
      const tokenFile = join(root, '..', `token-${process.pid}-${signal}`);
      await writeFile(tokenFile, 'cli-secret\n');
      const server = await startServerProcess(['--root', root, '--token-file', tokenFile, '--backend', 'libuv', '--log-level', 'info']);
      try {
        const fs = await NetFs.connect({ port: server.port, token: 'cli-secret' });
        const file = await fs.open('f');
        expect((await file.readToEnd()).toString()).toBe('served');
        server.child.kill(signal);
        expect(await within(server.exited, HANG_MS, 'the server exit')).toBe(0);
        await expect(file.readAt(0, 1)).rejects.toMatchObject({ code: 'ECONNRESET' });
        expect(fs.connected).toBe(false);
        await fs.close();
        expect(server.log.some((line) => / info conn#1 .* connected$/.test(line))).toBe(true);
        expect(server.log.some((line) => line.includes(`${signal}: stopping`))).toBe(true);
      } finally {
        await server.kill();
        await rm(tokenFile, { force: true });
      }
    });
  }

  // Frames the server has not read when it stops (here: reads sent in the same tick as the
  // signal) once kept its paused socket from seeing the client's FIN, so the close never
  // finished and Node exited 13 (a top-level await left unsettled).
  test('SIGTERM with requests still unread stops cleanly with exit 0 (20 times)', async () => {
    const tokenFile = join(root, '..', `token-${process.pid}-unread`);
    await writeFile(tokenFile, 'cli-secret\n');
    try {
      for (let run = 0; run < 20; run++) {
        const server = await startServerProcess(['--root', root, '--token-file', tokenFile, '--backend', 'libuv', '--log-level', 'info']);
        try {
          const fs = await NetFs.connect({ port: server.port, token: 'cli-secret' });
          const file = await fs.open('f');
          const reads = Array.from({ length: 64 }, (_, i) => file.readAt(i % 6, 1));
          server.child.kill('SIGTERM');
          expect(await within(server.exited, HANG_MS, 'the server exit')).toBe(0);
          const settled = await within(Promise.allSettled(reads), HANG_MS, 'the reads');
          for (const outcome of settled) {
            if (outcome.status === 'rejected') expect((outcome.reason as { code?: string }).code).toMatch(/^(ECONNRESET|ECANCELED)$/);
          }
          await fs.close();
        } finally {
          await server.kill();
        }
      }
    } finally {
      await rm(tokenFile, { force: true });
    }
  });
});
