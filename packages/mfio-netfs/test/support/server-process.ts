import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const packageDir = join(__dirname, '..', '..');

/**
 * How long a server process may take to start listening, or a CLI run to exit: each takes under
 * half a second of CPU (tsx compiling the sources), but took over 20 s on a 2-core machine at a
 * load average of 13. A bound for a hang, not a measure of speed.
 */
export const PROCESS_TIMEOUT = 60_000;

/** `mfio-netfs-server` running from the sources in a child process. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** The port it listens on (parsed from its log), when it started. */
  readonly port: number;
  /** Every line it wrote to stderr so far. */
  readonly log: string[];
  /** Resident and peak resident memory in bytes (Linux /proc). */
  memory(): Promise<{ rss: number; peak: number }>;
  /** Descriptors it has open now (Linux /proc). */
  descriptors(): Promise<number>;
  /** Resolves with the exit code (or signal name) when it exits. */
  readonly exited: Promise<number | string>;
  /** Kill it (SIGKILL) if still running and wait for the exit. */
  kill(): Promise<void>;
}

/** Run the CLI with `args` and collect its output until it exits (for --help and bad arguments). */
export function runCli(args: string[], timeoutMs = PROCESS_TIMEOUT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/run-cli.ts', ...args], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mfio-netfs-server ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** How long it may take to start listening (default {@link PROCESS_TIMEOUT}). */
  readonly timeoutMs?: number;
  /**
   * Run it with this open-file limit, soft and hard (through util-linux `prlimit`, which must be
   * on the PATH). Both, because Node raises its soft limit to the hard one at start-up.
   */
  readonly maxOpenFiles?: number;
}

/** Start the server on 127.0.0.1:0 with `args` and wait for its "listening on" line. */
export async function startServerProcess(args: string[], options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? PROCESS_TIMEOUT;
  const command = [process.execPath, '--import', 'tsx', 'test/support/run-cli.ts', '--listen', '127.0.0.1:0', ...args];
  // prlimit sets the limit on itself and then execs the command: the pid stays the server's.
  if (options.maxOpenFiles !== undefined) command.unshift('prlimit', `--nofile=${options.maxOpenFiles}:${options.maxOpenFiles}`, '--');
  const child = spawn(command[0]!, command.slice(1), { cwd: packageDir, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    let partial = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${log.join('\n')}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        const match = / listening on [^ ]*:(\d+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${log.join('\n')}`));
    });
  });
  return {
    child,
    port,
    log,
    exited,
    async memory() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { rss: kb('VmRSS'), peak: kb('VmHWM') };
    },
    async descriptors() {
      return (await readdir(`/proc/${child.pid}/fd`)).length;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
