import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt } from '../src/index.js';
import { HANG_MS } from '@mfio/rt-conformance';

/** Native backends that start here: the ones that wake the host's loop (a libuv handle, or a thread-safe function). */
const native = NativeRt.builder()
  .enableAll()
  .buildEach()
  .flatMap((result) => {
    void result.rt?.close();
    return result.rt && result.name !== 'libuv' ? [result.name] : [];
  });

/** Run a fixture with this host's binary (Node, Bun or Deno; the built package), collecting output; resolves on exit. */
function run(script: string, args: string[], timeoutMs: number): { exited: Promise<number | null>; output: () => string; kill: () => void } {
  const child = spawn(process.execPath, [join(__dirname, 'fixtures', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = once(child, 'exit').then(([code]) => {
    clearTimeout(timer);
    return code as number | null;
  });
  return { exited, output: () => output, kill: () => child.kill('SIGKILL') };
}

const describeNative = native.length > 0 ? describe.each(native) : describe.skip.each(['no native backend starts here']);

describeNative("%s on the host's event loop", (backend) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfio-loop-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('an idle runtime (files and runtime left open) lets the process exit by itself', async () => {
    const child = run('idle-runtime.mjs', [backend, dir], HANG_MS);
    const code = await child.exited;
    expect(child.output()).toContain(`${backend} read: idle`);
    expect(code).toBe(0); // not killed by the timeout
  });

  test('a request in flight keeps the process alive, and nothing else does', async () => {
    const peers: Socket[] = [];
    const server = createServer((socket) => peers.push(socket)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const child = run('waiting-read.mjs', [backend, String(port)], HANG_MS);
    // Wait until it is waiting on the read, then give it time to (wrongly) exit.
    while (!child.output().includes('waiting') && !child.output().includes('Error')) await new Promise((r) => setTimeout(r, 20));
    const early = await Promise.race([child.exited, new Promise((r) => setTimeout(() => r('alive'), 1500))]);
    expect(early).toBe('alive');
    // Answering the read lets it finish and exit normally.
    expect(peers).toHaveLength(1);
    peers[0]!.end('x');
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('read returned');
    server.close();
  });

  // The executor closes in the worker's cleanup hook and the worker's last microtask may still
  // submit to it: that throw must be swallowed, not abort the process (the addon is built with
  // NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS). And Node unloads the worker's addons before its
  // loop's last turn runs our handles' close callbacks: the addon is linked NODELETE (a
  // SIGSEGV in uv__finish_close without it).
  test('a worker terminated with a read in flight closes its socket, and the process goes on', async () => {
    const peers: Socket[] = [];
    const server = createServer((socket) => peers.push(socket)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const child = run('terminated-worker.mjs', [backend, String(port)], HANG_MS);
      expect(await child.exited).toBe(0);
      expect(child.output()).toContain('terminated');
      expect(peers).toHaveLength(1);
      // The peer sees the close: the worker's socket did not outlive its environment.
      const peer = peers[0]!;
      peer.resume();
      if (!peer.closed) await once(peer, 'close');
    } finally {
      for (const peer of peers) peer.destroy();
      server.close();
    }
  });
});
