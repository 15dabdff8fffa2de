import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerUnavailableError } from './errors.js';
import type { PeerServer } from './peer-server.js';

/** A server process the bench started, and how to stop it. */
export interface Daemon {
  pid: number;
  /** Milliseconds from spawn to ready. */
  startMs: number;
  /** SIGTERM to its pid, then SIGKILL to its process group if it has not exited in 5 s. */
  stop(): Promise<void>;
}

/** Daemons still running: killed if the bench exits without stopping them. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // The daemon leads its own session and group (detached), so its forks (smbd's per client) go too.
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** A free TCP port on 127.0.0.1 (free now: the caller's server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export interface DaemonOptions {
  /** Resolves true once the server serves; polled every 50 ms with the output so far. */
  ready(output: string): boolean | Promise<boolean>;
  /** A log file the server writes instead of its stdout/stderr, read into `output` too. */
  logFile?: string;
  timeoutMs?: number;
}

/**
 * Start a server in a session of its own (`detached`: setsid). smbd needs that: run in the
 * bench's process group it signals the whole group when it stops. Resolves once `ready`;
 * otherwise kills it and rejects with ERR_PEER_UNAVAILABLE and the end of its output.
 */
export async function startDaemon(peer: string, command: string, args: string[], options: DaemonOptions): Promise<Daemon> {
  const started = Date.now();
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  // Kept short: only the end of a failed start's output is reported.
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-16_384));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ?? `exit ${code}`;
      running.delete(child);
      resolve();
    }),
  );
  const all = (): string => {
    if (options.logFile === undefined) return output;
    try {
      return `${output}${readFileSync(options.logFile, 'utf8')}`;
    } catch {
      return output;
    }
  };
  const deadline = started + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) throw new PeerUnavailableError(peer, `${command}: ${spawnError.message}`);
    if (exited !== undefined) throw new PeerUnavailableError(peer, `${command} stopped (${exited}) before it served:\n${tail(all())}`);
    if (await options.ready(all())) break;
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      await exit;
      throw new PeerUnavailableError(peer, `${command} did not serve in ${options.timeoutMs ?? 30_000} ms:\n${tail(all())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const startMs = Date.now() - started;
  return {
    pid: child.pid!,
    startMs,
    async stop() {
      if (exited !== undefined) return;
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exit;
      clearTimeout(timer);
      // Its forks (smbd's per-client processes) end with it; any left behind go now.
      killGroup(child, 'SIGKILL');
    },
  };
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-12).join('\n');
}

/** What a server's start gives {@link inStateDir}: the running daemon and where it serves. */
export interface Started {
  kind: PeerServer['kind'];
  /** The program, for the description, e.g. `smbd`. */
  program: string;
  daemon: Daemon;
  target: PeerServer['target'];
}

/**
 * Start a server whose config and state live in a fresh temporary folder: the folder goes when
 * the server stops, or at once when it does not start. Nothing of the machine's own set-up of
 * that server is read or written.
 */
export async function inStateDir(prefix: string, start: (dir: string) => Promise<Started>): Promise<PeerServer> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const { kind, program, daemon, target } = await start(dir);
    return {
      kind,
      target,
      description: `${program} (pid ${daemon.pid}) on ${target.host}:${target.port}, started in ${(daemon.startMs / 1000).toFixed(1)} s`,
      async stop() {
        await daemon.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
