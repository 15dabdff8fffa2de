import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, inStateDir, startDaemon } from './daemon.js';
import { which, type Need } from './install.js';
import type { PeerServer } from './peer-server.js';
import { PeerUnavailableError } from './errors.js';

/** sshd, ssh-keygen, and sshfs with FUSE 3's fusermount3 for the client (sshfs.ts). */
export const SSHFS_NEEDS: Need[] = [
  { path: '/usr/sbin/sshd', package: 'openssh-server' },
  { path: 'ssh-keygen', package: 'openssh-client' },
  { path: 'sshfs', package: 'sshfs' },
  { path: 'fusermount3', package: 'fuse3' },
];

/**
 * sshd on a free port of 127.0.0.1 that lets in one key made for this run (a host key and a
 * client key in a temporary folder, no password, no PAM), with its built-in SFTP server: what
 * sshfs mounts. The client key's path goes in the target, for sshfs.ts.
 */
export function startSshd(root: string, fileName: string): Promise<PeerServer> {
  return inStateDir('mfio-bench-sshd-', async (dir) => {
    for (const key of ['host', 'client']) {
      const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, key)], { encoding: 'utf8', timeout: 30_000 });
      if (made.status !== 0) throw new PeerUnavailableError('sshfs', `ssh-keygen failed: ${made.stderr || made.error?.message}`);
    }
    copyFileSync(join(dir, 'client.pub'), join(dir, 'authorized_keys'));
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        // The temporary folder is the bench's, not the user's home: skip the ownership checks.
        'StrictModes no',
        'UsePAM no',
        `PidFile ${join(dir, 'sshd.pid')}`,
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    // sshd refuses to start without its privilege separation folder (made by the init script
    // on a booted machine, absent in a container).
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const daemon = await startDaemon('sshfs', which('sshd'), ['-D', '-e', '-f', config], {
      ready: (output) => output.includes('Server listening on'),
    });
    const target = { host: '127.0.0.1', port, path: join(root, fileName), identity: join(dir, 'client') };
    return { kind: 'sshfs', program: 'sshd', daemon, target };
  });
}
