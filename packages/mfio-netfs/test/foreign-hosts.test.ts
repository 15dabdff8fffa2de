// The netfs server and client across runtimes: the built packages under Bun and Deno (the
// binaries @mfio/rt pins and installs from the npm registry, packages/mfio-rt/scripts/
// install-hosts.mjs), each facing a Node peer on 127.0.0.1. The server under Bun or Deno serves
// from the io_uring backend, its completions woken through a thread-safe function.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt } from '@mfio/rt';
import { NetFs, NetFsServer } from '../src/index.js';
import { HANG_MS, within } from './support/servers.js';
// How Bun and Deno run a script against the built packages, as @mfio/rt's own tests do.
import { hostCommand } from '../../mfio-rt/scripts/host-command.cjs';

const packageDir = join(__dirname, '..');
const rtDir = join(packageDir, '..', 'mfio-rt');
const linux = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
const TOKEN = 'cross-runtime';
const SIZE = 300_000;

type Host = 'bun' | 'deno';

/** Start `args` under `host` and collect its output; killed (SIGKILL, by pid) at the end of the test. */
function start(command: { argv: string[]; env: NodeJS.ProcessEnv }): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(command.argv[0]!, command.argv.slice(1), { cwd: packageDir, env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

(linux ? describe : describe.skip)('netfs across runtimes (real Bun and Deno binaries)', () => {
  let binaries: Record<Host, string>;
  let root: string;
  let payload: Buffer;

  beforeAll(async () => {
    // Fails (never skips) with npm's own words when the registry cannot serve the binaries.
    const install = spawnSync(process.execPath, [join(rtDir, 'scripts', 'install-hosts.mjs')], { encoding: 'utf8', timeout: 280_000, killSignal: 'SIGKILL' });
    if (install.status !== 0)
      throw new Error(`install-hosts.mjs failed (${install.error?.message ?? `exit ${install.status}`}):\n${install.stdout}${install.stderr}`);
    binaries = JSON.parse(install.stdout.trim().split('\n').pop()!) as Record<Host, string>;
    root = await mkdtemp(join(tmpdir(), 'mfio-netfs-hosts-'));
    payload = randomBytes(SIZE);
    await writeFile(join(root, 'input.bin'), payload);
  }, 300_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  describe.each(['bun', 'deno'] as const)('%s', (host) => {
    test(`a server under ${host} (io_uring) serves a Node client: reads, 60 at once, a write, then a clean stop`, async () => {
      // Before the server starts: it reads the token file at start-up.
      await writeFile(join(root, 'token'), `${TOKEN}\n`);
      const server = start(
        hostCommand(host, binaries[host], [
          join(packageDir, 'bin', 'mfio-netfs-server.js'),
          '--root',
          root,
          '--listen',
          '127.0.0.1:0',
          '--backend',
          'io_uring',
          '--token-file',
          join(root, 'token'),
          '--log-level',
          'info',
        ]),
      );
      try {
        const port = await within(
          (async () => {
            for (;;) {
              const match = / listening on [^ ]*:(\d+)$/m.exec(server.output());
              if (match) return Number(match[1]);
              if (server.child.exitCode !== null) throw new Error(`the server exited: ${server.output()}`);
              await new Promise((r) => setTimeout(r, 20));
            }
          })(),
          HANG_MS,
          `the ${host} server's listening line`,
        );
        const fs = await NetFs.connect({ port, token: TOKEN });
        const file = await fs.open('input.bin');
        expect((await file.readToEnd()).equals(payload)).toBe(true);
        const piece = SIZE / 60;
        const pieces = await Promise.all(Array.from({ length: 60 }, (_, i) => file.readAt(i * piece, piece)));
        expect(Buffer.concat(pieces).equals(payload)).toBe(true);
        await file.close();
        const out = await fs.open('from-node.bin', { write: true, create: true, truncate: true });
        await out.writeAllAt(0, payload);
        await out.close();
        await fs.close();
        expect((await readFile(join(root, 'from-node.bin'))).equals(payload)).toBe(true);
        expect(server.output()).toContain('backend io_uring');
        server.child.kill('SIGTERM');
        expect(await within(server.exited, HANG_MS, `the ${host} server's exit`)).toBe(0);
      } finally {
        server.child.kill('SIGKILL');
      }
    });

    test(`a client under ${host} reads from and writes to a Node server`, async () => {
      const rt = NativeRt.builder().enableAll().cwd(root).fallbackWarning(false).build();
      const server = await NetFsServer.start({ fs: rt, root, host: '127.0.0.1', port: 0, token: TOKEN });
      try {
        const client = start(hostCommand(host, binaries[host], [join(__dirname, 'fixtures', 'host-client.mjs'), String(server.address().port), TOKEN]));
        try {
          expect(await within(client.exited, HANG_MS, `the ${host} client`)).toBe(0);
        } finally {
          client.child.kill('SIGKILL');
        }
        const line = client
          .output()
          .split('\n')
          .find((l) => l.startsWith('{'));
        expect(line).toBeDefined();
        const result = JSON.parse(line!) as { whole: string; pieces: boolean };
        expect(Buffer.from(result.whole, 'base64').equals(payload)).toBe(true);
        expect(result.pieces).toBe(true);
        expect((await readFile(join(root, 'echo.bin'))).equals(payload)).toBe(true);
      } finally {
        await server.close();
        await rt.close();
      }
    });
  });
});
