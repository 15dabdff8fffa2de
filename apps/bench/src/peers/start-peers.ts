import { basename, dirname } from 'node:path';
import { RangeServer } from '../range-server.js';
import type { RemoteContender } from '../remote-contenders.js';
import { PeerUnavailableError } from './errors.js';
import { buildForkedProgram } from './forked-client.js';
import { installMissing, type Need } from './install.js';
import { GANESHA_NEEDS, startGanesha } from './nfs-ganesha.js';
import type { PeerServer, ServerKind } from './peer-server.js';
import { SAMBA_NEEDS, startSamba } from './samba.js';
import { SSHFS_NEEDS, startSshd } from './sshd.js';

/** Why the quick run leaves the peers out, for the terminal. */
export const PEERS_LEFT_OUT =
  'peers (smb, nfs, sshfs, http:range:N) left out: they install and start three servers and add four contenders to every case (minutes); --peers or --full include them';

/** Each peer server: the packages it needs and how it starts, serving `file` from its folder. */
const PEERS: Record<Exclude<ServerKind, 'netfs'>, { needs: Need[]; start(file: string): Promise<PeerServer> }> = {
  // The C clients are built here, once, so a build that fails makes the peer unavailable.
  smb: { needs: SAMBA_NEEDS, start: (file) => (buildForkedProgram('smb_read'), startSamba(dirname(file), basename(file))) },
  nfs: { needs: GANESHA_NEEDS, start: (file) => (buildForkedProgram('nfs_read'), startGanesha(dirname(file), basename(file))) },
  sshfs: { needs: SSHFS_NEEDS, start: (file) => startSshd(dirname(file), basename(file)) },
  http: { needs: [], start: startRangeServer },
};

/** Every package the peers need, for installing them ahead of a run (install-peers.ts). */
export const PEER_NEEDS: Need[] = Object.values(PEERS).flatMap((peer) => peer.needs);

/** The HTTP range server (range-server.ts) as a peer server. */
async function startRangeServer(file: string): Promise<PeerServer> {
  const started = Date.now();
  const server = await RangeServer.start(file);
  const { host, port } = server.address();
  return {
    kind: 'http',
    target: { host, port, path: server.path },
    description: `node:http range server (this process) on ${host}:${port}, started in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    stop: () => server.close(),
  };
}

/** The peer servers that started, and the ones that did not with the reason. */
export interface Peers {
  servers: PeerServer[];
  unavailable: Array<{ peer: string; reason: string }>;
  /** Each contender whose server started, with where it reads. */
  contenders: Array<{ contender: RemoteContender; target: PeerServer['target'] }>;
  stop(): Promise<void>;
}

/**
 * Install what is missing and start the server of each of `contenders` on 127.0.0.1, serving
 * `file`. A peer that cannot be had is reported in `unavailable` (and on `log`), not thrown:
 * the other contenders still run.
 */
export async function startPeers(file: string, contenders: RemoteContender[], log: (line: string) => void = console.log): Promise<Peers> {
  const peers: Peers = {
    servers: [],
    unavailable: [],
    contenders: [],
    async stop() {
      for (const server of peers.servers) await server.stop();
    },
  };
  for (const kind of [...new Set(contenders.map((c) => c.server))]) {
    if (kind === 'netfs') continue;
    try {
      const reason = installMissing(PEERS[kind].needs, (line) => log(`${kind}: ${line}`));
      if (reason !== undefined) throw new PeerUnavailableError(kind, reason);
      const server = await PEERS[kind].start(file);
      peers.servers.push(server);
      log(`${kind}: ${server.description}`);
    } catch (error) {
      const reason = error instanceof PeerUnavailableError ? error.message.slice(kind.length + 2) : String(error);
      peers.unavailable.push({ peer: kind, reason });
      log(`${kind} unavailable: ${reason}`);
    }
  }
  for (const contender of contenders) {
    const server = peers.servers.find((s) => s.kind === contender.server);
    if (server) peers.contenders.push({ contender, target: server.target });
  }
  return peers;
}
