import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, inStateDir, startDaemon } from './daemon.js';
import { which, type Need } from './install.js';
import type { PeerServer } from './peer-server.js';

/** NFS-Ganesha with its VFS backend, and libnfs's headers for the client (apps/bench/native/nfs_read.c). */
export const GANESHA_NEEDS: Need[] = [
  { path: 'ganesha.nfsd', package: 'nfs-ganesha' },
  { path: `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/ganesha/libfsalvfs.so`, package: 'nfs-ganesha-vfs' },
  { path: '/usr/include/nfsc/libnfs.h', package: 'libnfs-dev' },
  { path: 'cc', package: 'gcc' },
];

/** The export's pseudo path in NFSv4: nfs://127.0.0.1/bench/FILE. */
const EXPORT = '/bench';

/**
 * NFS-Ganesha serving `root` read-only over NFSv4 on a free port of 127.0.0.1: no rpcbind (the
 * client goes straight to the port), no NLM, RQUOTA or UDP, and no grace period (a fresh server
 * would otherwise refuse opens for 90 s). Its CRIT lines about dbus and krb5 at start are
 * harmless: neither is used.
 */
export function startGanesha(root: string, fileName: string): Promise<PeerServer> {
  return inStateDir('mfio-bench-nfs-', async (dir) => {
    const port = await freePort();
    mkdirSync(join(dir, 'recovery'));
    const config = join(dir, 'ganesha.conf');
    const log = join(dir, 'ganesha.log');
    writeFileSync(
      config,
      `NFS_CORE_PARAM {
  NFS_Port = ${port};
  Bind_Addr = 127.0.0.1;
  Protocols = 4;
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
}
NFSV4 {
  Graceless = true;
  RecoveryBackend = fs;
  RecoveryRoot = ${join(dir, 'recovery')};
}
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
  Export_Id = 1;
  Path = ${root};
  Pseudo = ${EXPORT};
  Access_Type = RO;
  Squash = No_Root_Squash;
  Protocols = 4;
  Transports = TCP;
  SecType = sys;
  FSAL { Name = VFS; }
}
`,
    );
    const daemon = await startDaemon('nfs', which('ganesha.nfsd'), ['-F', '-f', config, '-L', log, '-p', join(dir, 'ganesha.pid'), '-N', 'NIV_EVENT'], {
      logFile: log,
      ready: (output) => output.includes('NFS SERVER INITIALIZED'),
    });
    return { kind: 'nfs', program: 'ganesha.nfsd', daemon, target: { host: '127.0.0.1', port, path: `${EXPORT}/${fileName}` } };
  });
}
