/** The kinds of server the remote contenders read from. */
export type ServerKind = 'netfs' | 'http' | 'smb' | 'nfs' | 'sshfs';

/** Where a remote contender connects: the server itself, or a delay proxy in front of it. */
export interface Target {
  host: string;
  port: number;
  /**
   * The sample file as the server names it: its name for netfs, the URL path for HTTP, the share
   * and file for SMB, the export and file for NFS, the absolute path for sshfs.
   */
  path: string;
  /** sshfs: the private key its sshd accepts. */
  identity?: string;
}

/** A server running on 127.0.0.1 for the bench's remote contenders. */
export interface PeerServer {
  kind: ServerKind;
  /** Its address and how its contenders name the sample file. */
  target: Target;
  /** What runs and how long it took to start, for the terminal and the report. */
  description: string;
  stop(): Promise<void>;
}
