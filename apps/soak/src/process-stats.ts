import { readdir, readFile } from 'node:fs/promises';

/** One sample of a process's resident memory and open descriptors. */
export interface ProcessSample {
  /** Milliseconds since the soak started. */
  readonly atMs: number;
  readonly rss: number;
  readonly fds: number;
}

/**
 * Resident memory (VmRSS) and open descriptors of process `pid` (`'self'` for this one), read
 * from Linux's /proc. Rejects when the process is gone (a server being restarted).
 */
export async function sampleProcess(pid: number | 'self', atMs: number): Promise<ProcessSample> {
  const [status, fds] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readdir(`/proc/${pid}/fd`)]);
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  // readdir of /proc/self/fd sees its own descriptor on the directory too; it is there in
  // every sample, so growth is unaffected.
  return { atMs, rss: Number(kb) * 1024, fds: fds.length };
}
