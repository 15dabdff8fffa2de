import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A running `mfio-netfs-server` child process. */
export interface NetfsServer {
  host: string;
  port: number;
  /** The backend the server reads the files with, as it reports it. */
  backend: string;
  stop(): Promise<void>;
}

/**
 * Start `mfio-netfs-server` read-only on a free loopback port, serving `root` with `backend`, in its own
 * process so that it does not share an event loop with the client being measured. Resolves
 * once it logs where it listens. @throws Error with its output when it does not start.
 */
export function startNetfsServer(root: string, backend: string, timeoutMs = 15_000): Promise<NetfsServer> {
  const bin = join(dirname(createRequire(import.meta.url).resolve('@mfio/netfs/package.json')), 'bin', 'mfio-netfs-server.js');
  const child = spawn(process.execPath, [bin, '--root', root, '--listen', '127.0.0.1:0', '--read-only', '--backend', backend, '--log-level', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(`no 'listening' line in ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`mfio-netfs-server did not start: ${why}\n${log}`));
    };
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code) => fail(`exited with ${code}`));
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const match = /backend (\S+); listening on (\S+):(\d+)/.exec(log);
      if (!match) return;
      // Started: stop watching its log and its exit here (stop() waits for the exit itself).
      clearTimeout(timer);
      child.stderr.off('data', onData);
      child.stderr.resume();
      child.removeAllListeners('exit');
      resolve({ host: match[2]!, port: Number(match[3]), backend: match[1]!, stop: () => stop(child) });
    };
    child.stderr.on('data', onData);
  });
}

/** SIGTERM (the server stops cleanly on it), SIGKILL if it has not exited in 5 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
