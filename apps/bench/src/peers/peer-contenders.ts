import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { windowed } from '../contenders.js';
import type { RemoteContender } from '../remote-contender.js';
import { ForkedClient, type ForkedProgram } from './forked-client.js';
import { mountSshfs } from './sshfs.js';
import type { Target } from './peer-server.js';

/** The real network filesystems the bench sets netfs against, in report order. */
export const PEER_NAMES = ['smb', 'nfs', 'sshfs'] as const;

/** A C client on N forked workers, one connection each: N reads in flight. */
function forked(name: 'smb' | 'nfs', program: ForkedProgram, url: (target: Target) => string): RemoteContender {
  return {
    name,
    server: name,
    window: (inFlight) => inFlight,
    async open(target, inFlight, maxReads, maxSize) {
      const client = await ForkedClient.start(program, url(target), inFlight, maxReads, maxSize);
      return { run: (positions, size, digest) => client.run(positions, size, digest), close: () => client.close() };
    },
  };
}

/** Samba through libsmbclient (apps/bench/native/smb_read.c). */
const smb = forked('smb', 'smb_read', (target) => `smb://${target.host}:${target.port}/${target.path}`);

/** NFS-Ganesha through libnfs's nfs_pread over NFSv4 (apps/bench/native/nfs_read.c). */
const nfs = forked('nfs', 'nfs_read', (target) => `nfs://${target.host}${target.path}?version=4&nfsport=${target.port}`);

/**
 * sshfs: a FUSE mount over sshd (sshfs.ts), read with Node's FileHandle.read N in flight, as
 * `node:promises` reads a local file. Each read is a thread-pool job blocked on one SFTP round
 * trip, so the pool must have N threads or it would cap the reads in flight at 4.
 */
const sshfs: RemoteContender = {
  name: 'sshfs',
  server: 'sshfs',
  window: (inFlight) => inFlight,
  env: (inFlight) => ({ UV_THREADPOOL_SIZE: String(Math.min(1024, Math.max(4, inFlight))) }),
  async open(target, inFlight) {
    const mount = await mountSshfs(target);
    try {
      const handle = await open(join(mount.dir, basename(target.path)), 'r');
      return {
        run: (positions, size, digest) =>
          windowed(positions, size, inFlight, digest, async (position, buffer) => (await handle.read(buffer, 0, size, position)).bytesRead),
        async close() {
          await handle.close();
          await mount.unmount();
        },
      };
    } catch (error) {
      await mount.unmount();
      throw error;
    }
  },
};

/** Samba, NFS-Ganesha and sshfs, each N in flight. */
export function peerContenders(): RemoteContender[] {
  return [smb, nfs, sshfs];
}
