import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { PeerUnavailableError } from './errors.js';
import type { Target } from './peer-server.js';

/** A FUSE mount of the target's folder, and how to let go of it. */
export interface SshfsMount {
  /** Where the target's folder appears. */
  dir: string;
  unmount(): Promise<void>;
}

function mounted(dir: string): boolean {
  // Field 5 of each mountinfo line is the mount point (spaces escaped as \040; ours has none).
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === dir);
}

/**
 * Mount the folder of `target.path` with sshfs over the target's address (sshd itself or the
 * delay proxy), the key in `target.identity`, no host key check (a key made for this run).
 * `direct_io` and `no_readahead`: each read the bench makes is one SFTP read, not the kernel's
 * readahead or a page-cache hit. sshfs runs in the foreground as our child, so it is stopped
 * by its own pid. @throws PeerUnavailableError when the mount does not appear in `timeoutMs`.
 */
export async function mountSshfs(target: Target, timeoutMs = 60_000): Promise<SshfsMount> {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-bench-sshfs-'));
  const options = [
    `IdentityFile=${target.identity}`,
    'StrictHostKeyChecking=no',
    'UserKnownHostsFile=/dev/null',
    'BatchMode=yes',
    'LogLevel=ERROR',
    // Read-only: the bench only reads, and nothing it does can change the sample.
    'ro',
    'direct_io',
    'no_readahead',
  ];
  const source = `${userInfo().username}@${target.host}:${dirname(target.path)}`;
  const child = spawn('sshfs', [source, dir, '-f', '-p', String(target.port), '-o', options.join(',')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4096)));
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      exited = signal ?? `exit ${code}`;
      resolve();
    }),
  );
  const deadline = Date.now() + timeoutMs;
  while (!mounted(dir)) {
    if (exited !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exit;
      rmdirSync(dir);
      throw new PeerUnavailableError('sshfs', `no mount in ${timeoutMs} ms (sshfs ${exited ?? 'still running'}): ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    dir,
    async unmount() {
      // fusermount3 -u ends the session; sshfs then exits by itself. SIGTERM if it lingers.
      spawnSync('fusermount3', ['-u', dir], { timeout: 10_000 });
      const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
      await exit;
      clearTimeout(timer);
      if (mounted(dir)) spawnSync('fusermount3', ['-u', '-z', dir], { timeout: 10_000 });
      // Not recursive: were the mount still there, that would delete the served files.
      rmdirSync(dir);
    },
  };
}
