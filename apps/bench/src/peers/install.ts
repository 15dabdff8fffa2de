import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program a peer needs, and the Debian package that brings it. */
export interface Need {
  /** A command looked up on PATH, or an absolute path (e.g. a header or a plugin). */
  path: string;
  package: string;
}

/** Whether `path` exists, or (a bare name) is a command on PATH or in the sbin folders. */
export function have(path: string): boolean {
  if (path.startsWith('/')) return existsSync(path);
  // sbin is not on every PATH (smbd, sshd live there) but the servers are started from there.
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((dir) => dir !== '' && existsSync(join(dir, path)));
}

/** The first of `dirs/command` that exists, or the bare command. */
export function which(command: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.map((dir) => join(dir, command)).find((path) => existsSync(path)) ?? command;
}

/** Whether this process ran `apt-get update` already: once is enough for every peer. */
let updated = false;

/**
 * Install the Debian packages of every missing need in one apt-get run (update first), as root.
 * The bench's own step, so a fresh machine gets its peers with no manual setup. Returns the
 * reason when they cannot be had (not root, no apt-get, apt-get failed, still missing); each
 * apt-get is bounded at 10 minutes.
 */
export function installMissing(needs: Need[], log: (line: string) => void = console.log): string | undefined {
  const missing = needs.filter((need) => !have(need.path));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((need) => need.package))];
  const hint = `apt-get install ${packages.join(' ')}`;
  if (process.getuid?.() !== 0 || !have('apt-get')) return `missing ${missing.map((n) => n.path).join(', ')} (as root: ${hint})`;
  log(`installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [...(updated ? [] : [['update']]), ['install', '-y', '--no-install-recommends', ...packages]];
  for (const args of steps) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000, killSignal: 'SIGKILL' });
    if (args[0] === 'update' && run.status === 0) updated = true;
    if (run.status !== 0) return `apt-get ${args[0]} failed: ${run.error?.message ?? (run.stderr.trim().split('\n').pop() || `exit ${run.status}`)}`;
  }
  const still = missing.filter((need) => !have(need.path));
  return still.length > 0 ? `${still.map((n) => n.path).join(', ')} still missing after ${hint}` : undefined;
}
