import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Lines of the server's log kept for a failure report. */
const LOG_LINES = 40;

/** Children alive now, so that a soak that dies on an exception still kills them (by pid). */
const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** An `mfio-netfs-server` child process on 127.0.0.1. */
export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** Its last log lines. */
  readonly log: readonly string[];
  /** Resolves with the exit code, or the signal's name, when it exits. */
  readonly exited: Promise<number | string>;
  /** SIGKILL it and wait for the exit. */
  kill(): Promise<void>;
  /**
   * SIGTERM it (it stops cleanly on it) and wait for the exit.
   * @throws Error if it does not exit within `timeoutMs` (then it is killed) or exits non-zero.
   */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Start `mfio-netfs-server` serving `root` with `backend` on a free loopback port, and resolve
 * once it logs where it listens. `onExit` hears of every exit, ours or not.
 * @throws Error with its log when it does not start within `timeoutMs`.
 */
export function startServerProcess(root: string, backend: string, timeoutMs: number): Promise<ServerProcess> {
  const bin = join(dirname(createRequire(import.meta.url).resolve('@mfio/netfs/package.json')), 'bin', 'mfio-netfs-server.js');
  const child = spawn(process.execPath, [bin, '--root', root, '--listen', '127.0.0.1:0', '--backend', backend, '--log-level', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  alive.add(child);
  const log: string[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      alive.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    log.push(...lines);
    if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => void kill().then(() => reject(new Error(`netfs server (${backend}) did not start within ${timeoutMs} ms:\n${log.join('\n')}`))),
      timeoutMs,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`netfs server (${backend}) exited (${code}) before listening:\n${log.join('\n')}`));
    });
    const watch = (): void => {
      const match = log.map((line) => / listening on 127\.0\.0\.1:(\d+)$/.exec(line)).find((m) => m !== null);
      if (!match) return;
      clearTimeout(timer);
      child.stderr.off('data', watch);
      resolve({
        pid: child.pid!,
        port: Number(match[1]),
        log,
        exited,
        kill,
        async stop(stopTimeoutMs: number) {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          let timedOut = false;
          const timeout = new Promise<void>((done) => setTimeout(() => ((timedOut = true), done()), stopTimeoutMs).unref());
          await Promise.race([exited, timeout]);
          if (timedOut) {
            await kill();
            throw new Error(`netfs server (${backend}, pid ${child.pid}) did not stop within ${stopTimeoutMs} ms of SIGTERM:\n${log.join('\n')}`);
          }
          const code = await exited;
          if (code !== 0) throw new Error(`netfs server (${backend}, pid ${child.pid}) exited with ${code} on SIGTERM:\n${log.join('\n')}`);
        },
      });
    };
    child.stderr.on('data', watch);
  });
}
