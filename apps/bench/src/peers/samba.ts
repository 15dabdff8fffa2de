import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, inStateDir, listening, startDaemon } from './daemon.js';
import type { Need } from './install.js';
import type { PeerServer } from './peer-server.js';
import { which } from './install.js';

/** smbd, and libsmbclient's headers for the client (apps/bench/native/smb_read.c). */
export const SAMBA_NEEDS: Need[] = [
  { path: 'smbd', package: 'samba' },
  { path: '/usr/include/samba-4.0/libsmbclient.h', package: 'libsmbclient-dev' },
  { path: 'pkg-config', package: 'pkg-config' },
  { path: 'cc', package: 'gcc' },
];

/** The share's name in SMB paths: smb://127.0.0.1:PORT/bench/FILE. */
const SHARE = 'bench';

/**
 * Samba's smbd on a free port of 127.0.0.1 sharing `root` read-only to guests (mapped to the
 * user the bench runs as, who can read the sample wherever it is), with every state file in a
 * folder of its own ({@link inStateDir}).
 */
export function startSamba(root: string, fileName: string): Promise<PeerServer> {
  return inStateDir('mfio-bench-smb-', async (dir) => {
    const port = await freePort();
    mkdirSync(join(dir, 'state'));
    const state = join(dir, 'state');
    const config = join(dir, 'smb.conf');
    const user = userInfo().username;
    writeFileSync(
      config,
      [
        '[global]',
        `smb ports = ${port}`,
        'interfaces = 127.0.0.1/8',
        'bind interfaces only = yes',
        ...['lock directory', 'state directory', 'cache directory', 'private dir', 'pid directory'].map((key) => `${key} = ${state}`),
        `ncalrpc dir = ${join(state, 'ncalrpc')}`,
        `log file = ${join(dir, 'log.smbd')}`,
        'server role = standalone server',
        'map to guest = Bad User',
        `guest account = ${user}`,
        // No NetBIOS, printers or spoolss: fewer processes and no other ports.
        'disable netbios = yes',
        'load printers = no',
        'printing = bsd',
        'printcap name = /dev/null',
        'disable spoolss = yes',
        `[${SHARE}]`,
        `path = ${root}`,
        'read only = yes',
        'guest ok = yes',
        'guest only = yes',
        '',
      ].join('\n'),
    );
    // --no-process-group with the setsid of startDaemon: smbd stops without signalling the bench.
    const daemon = await startDaemon('smb', which('smbd'), ['-s', config, '--foreground', '--no-process-group', '--debug-stdout', '-d', '1'], {
      ready: () => listening(port),
    });
    return { kind: 'smb', program: 'smbd', daemon, target: { host: '127.0.0.1', port, path: `${SHARE}/${fileName}` } };
  });
}
