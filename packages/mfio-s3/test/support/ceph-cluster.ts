/**
 * A single-node Ceph cluster for the tests and the bench: one monitor, one OSD on memstore (RAM,
 * nothing on disk but config and logs) and radosgw (beast) on 127.0.0.1, with one S3 user. All
 * in a fresh temp directory on free high ports; daemons run in the foreground (`-f`) as our
 * children's children, detached, and are stopped by their own pids: radosgw, then the OSD,
 * then the monitor (each waits for the one before, so none hangs waiting for a peer).
 *
 * The settings below are the ones that made it fast and reliable here (Ceph 16.2, Debian 12):
 * - cephx with one keyring holding every key (mon., client.admin, osd.0, client.rgw): the
 *   monitor imports them all at mkfs, so the OSD and radosgw find their keys in the keyring
 *   they read (a missing key fails with `handle_auth_bad_method`);
 * - the monitor on msgr2 only (`[v2:...]` in `mon host` and in the monmap): a v2 monmap with
 *   msgr2 turned off left the OSD retrying sockets forever (EAFNOSUPPORT);
 * - `paxos propose interval = 0.05`: each monitor command otherwise waits ~1 s, so the pool
 *   creations (done here, not by radosgw, which would wait for each) took 13 s;
 * - `tcp_nodelay=1` on beast: without it each small GET waits ~46 ms for a delayed ACK;
 * - short `rgw gc` intervals: deleted objects otherwise stay in memstore's RAM for two hours.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a test needs to reach the cluster's S3 endpoint, and what stopping it needs. */
export interface CephCluster {
  /** `http://127.0.0.1:PORT` of radosgw. */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The temp directory with ceph.conf, the keyring, the logs. */
  readonly dir: string;
  /** Daemon pids in stopping order: radosgw, OSD, monitor. */
  readonly pids: { readonly rgw: number; readonly osd: number; readonly mon: number };
  /** Seconds from the first command to the S3 user's creation. */
  readonly startSeconds: number;
}

/** The Debian packages that hold each daemon and tool (Debian 12: Ceph 16.2 "pacific"). */
const TOOLS: Record<string, string> = {
  'ceph-mon': 'ceph-mon',
  'ceph-osd': 'ceph-osd',
  radosgw: 'radosgw',
  'radosgw-admin': 'radosgw',
  ceph: 'ceph-common',
  rados: 'ceph-common',
  'ceph-authtool': 'ceph-common',
  monmaptool: 'ceph-common',
};

/** The pools radosgw wants; made up front so its start does not wait on a monitor command each. */
const RGW_POOLS = [
  '.rgw.root',
  'default.rgw.log',
  'default.rgw.control',
  'default.rgw.meta',
  'default.rgw.buckets.index',
  'default.rgw.buckets.data',
  'default.rgw.buckets.non-ec',
];

/** Each step is bounded: a daemon that never comes up fails the start, it does not hang it. */
const STEP_TIMEOUT_MS = 60_000;

function have(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Install the Ceph packages with apt-get when a tool is missing (as root; `apt-get update`
 * first, as a fresh machine's lists may be empty). About 60 MB, a minute or two.
 * @throws when not root, or when apt-get fails.
 */
export function ensureCephInstalled(log: (line: string) => void = console.log): void {
  const missing = Object.keys(TOOLS).filter((tool) => !have(tool));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((tool) => TOOLS[tool]!))];
  if (process.getuid?.() !== 0 || !have('apt-get')) {
    throw new Error(`Ceph is not installed (${missing.join(', ')} missing): apt-get install ${packages.join(' ')}`);
  }
  log(`ceph: installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env, timeout: 600_000 });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, timeout: 900_000 });
  const still = missing.filter((tool) => !have(tool));
  if (still.length > 0) throw new Error(`ceph: ${still.join(', ')} still missing after installing ${packages.join(' ')}`);
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: STEP_TIMEOUT_MS, killSignal: 'SIGKILL', ...options });
  if (result.status !== 0) {
    const output = `${String(result.stdout ?? '')}${String(result.stderr ?? '')}`.trim().slice(-2000);
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}): ${output}`);
  }
  return String(result.stdout ?? '');
}

/** A port nobody listens on now, from the kernel's ephemeral range (high, free). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number, msgrPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${monPort}]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
# The OSD's messengers bind in this range (a block above the monitor's port, not Ceph's 6800).
ms bind port min = ${msgrPort}
ms bind port max = ${msgrPort + 99}
keyring = ${dir}/keyring
run dir = ${dir}/run
log file = ${dir}/$name.log
pid file = ${dir}/run/$name.pid
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
paxos propose interval = 0.05
# A test machine's disk is often more than 70 % full: no health warning for it.
mon data avail warn = 1
mon data avail crit = 0
[mon]
mon data = ${dir}/mon
admin socket = ${dir}/run/$name.asok
[osd]
osd data = ${dir}/osd0
osd objectstore = memstore
memstore device bytes = 4294967296
admin socket = ${dir}/run/$name.asok
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort} tcp_nodelay=1
rgw data = ${dir}/rgw
admin socket = ${dir}/run/$name.asok
rgw gc obj min wait = 5
rgw gc processor period = 5
rgw gc processor max time = 5
rgw enable usage log = false
rgw enable ops log = false
`;
}

/** Start a daemon in the foreground as a detached child (its own process group), output to a log. */
function daemon(dir: string, name: string, command: string, args: string[]): number {
  const out = openSync(join(dir, `${name}.out`), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`ceph: ${command} did not start`);
  return child.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`ceph: ${what} not ready after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether radosgw answers HTTP on `port` (any status: it is up). */
async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/**
 * Start a cluster and create an S3 user. The daemons outlive this process (they are detached):
 * stop them with {@link stopCluster}.
 * @throws with the daemon's log tail when a step fails; what was started is stopped first.
 */
export async function startCluster(log: (line: string) => void = console.log): Promise<CephCluster> {
  ensureCephInstalled(log);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'mfio-ceph-'));
  for (const sub of ['mon', 'osd0', 'rgw', 'run']) mkdirSync(join(dir, sub));
  const [monPort, rgwPort, msgrBase] = [await freePort(), await freePort(), await freePort()];
  // 100 ports above a free one: the kernel hands out ephemeral ports from the top down only
  // when asked, so the block is almost always free; Ceph skips a port that is taken anyway.
  const msgrPort = Math.min(msgrBase, 65_400);
  const fsid = randomUUID();
  const conf = join(dir, 'ceph.conf');
  writeFileSync(conf, cephConf(dir, fsid, monPort, rgwPort, msgrPort));
  const c = ['-c', conf];
  const keyring = join(dir, 'keyring');
  const pids = { rgw: 0, osd: 0, mon: 0 };
  try {
    run('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    const caps: Record<string, string[]> = {
      'client.admin': ['mon', 'allow *', 'osd', 'allow *', 'mgr', 'allow *'],
      'osd.0': ['mon', 'allow profile osd', 'osd', 'allow *', 'mgr', 'allow profile osd'],
      'client.rgw': ['mon', 'allow rw', 'osd', 'allow rwx'],
    };
    for (const [name, list] of Object.entries(caps)) {
      const capArgs: string[] = [];
      for (let i = 0; i < list.length; i += 2) capArgs.push('--cap', list[i]!, list[i + 1]!);
      run('ceph-authtool', [keyring, '--gen-key', '-n', name, ...capArgs]);
    }
    run('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, join(dir, 'monmap')]);
    run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), '--keyring', keyring]);
    pids.mon = daemon(dir, 'mon', 'ceph-mon', [...c, '-i', 'a', '-f']);
    const osdUuid = randomUUID();
    // `osd new` waits for the monitor's quorum; it is the first command, so it also waits for the start.
    run('ceph', [...c, '--connect-timeout', '30', 'osd', 'new', osdUuid]);
    run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    pids.osd = daemon(dir, 'osd', 'ceph-osd', [...c, '-i', '0', '-f']);
    for (const pool of RGW_POOLS) {
      run('ceph', [...c, 'osd', 'pool', 'create', pool, '8', '8']);
      run('ceph', [...c, 'osd', 'pool', 'application', 'enable', pool, 'rgw']);
    }
    pids.rgw = daemon(dir, 'rgw', 'radosgw', [...c, '-n', 'client.rgw', '-f']);
    await waitFor('radosgw', async () => {
      if (!alive(pids.rgw)) throw new Error('ceph: radosgw exited');
      return answers(rgwPort);
    });
    const accessKeyId = `MFIO${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    run('radosgw-admin', [
      ...c,
      '-n',
      'client.rgw',
      'user',
      'create',
      '--uid=mfio-test',
      '--display-name=mfio test',
      `--access-key=${accessKeyId}`,
      `--secret-key=${secretAccessKey}`,
    ]);
    const startSeconds = (performance.now() - started) / 1000;
    startReaper(pids, dir);
    return { endpoint: `http://127.0.0.1:${rgwPort}`, region: 'us-east-1', accessKeyId, secretAccessKey, dir, pids, startSeconds };
  } catch (error) {
    await stopPids(pids);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logTails(dir)}`, { cause: error });
  }
}

/**
 * A detached watchdog: if this process dies without stopping the cluster (a killed jest, a
 * Ctrl-C), it stops the daemons (radosgw, OSD, monitor) and removes the directory, so no
 * cluster outlives whoever started it. It exits by itself once the daemons are gone.
 */
function startReaper(pids: { rgw: number; osd: number; mon: number }, dir: string): void {
  // Runs as an ES module (top-level await): node:fs comes from import(), not require.
  const script = `
    const [parent, rgw, osd, mon] = process.argv.slice(1, 5).map(Number);
    const dir = process.argv[5];
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    async function stop(pid) {
      if (!alive(pid)) return;
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    for (;;) {
      if (![rgw, osd, mon].some(alive)) process.exit(0);
      if (!alive(parent)) {
        for (const pid of [rgw, osd, mon]) await stop(pid);
        (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      }
      await sleep(500);
    }`;
  const child = spawn(process.execPath, ['-e', script, String(process.pid), String(pids.rgw), String(pids.osd), String(pids.mon), dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}

/** The last lines of each daemon's log, for a failed start. */
function logTails(dir: string): string {
  const parts: string[] = [];
  for (const name of ['mon.out', 'osd.out', 'rgw.out', 'mon.a.log', 'osd.0.log', 'client.rgw.log']) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const lines = readFileSync(path, 'utf8').trim().split('\n').slice(-8);
    parts.push(`--- ${path}\n${lines.join('\n')}`);
  }
  return parts.join('\n');
}

/** SIGTERM one daemon and wait for it to exit; SIGKILL after `graceMs`. */
async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (pid === 0 || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

async function stopPids(pids: { rgw: number; osd: number; mon: number }): Promise<void> {
  // One at a time, in this order: radosgw talks to the OSD and the monitor, the OSD to the monitor.
  await stopPid(pids.rgw);
  await stopPid(pids.osd);
  await stopPid(pids.mon);
}

/** Stop the daemons (radosgw, OSD, monitor) and remove the directory, unless `keep` (to read the logs). */
export async function stopCluster(cluster: CephCluster, keep = false): Promise<void> {
  await stopPids({ ...cluster.pids });
  if (!keep) rmSync(cluster.dir, { recursive: true, force: true });
}

/** A radosgw started by {@link startExtraRadosgw}. */
export interface ExtraRadosgw {
  readonly endpoint: string;
  readonly pid: number;
  /** Its RADOS client addresses (`127.0.0.1:0/NONCE`), to blocklist once it is killed. */
  readonly clients: readonly string[];
}

/** The clients watching radosgw's control object (every radosgw of the zone watches it). */
function controlWatchers(cluster: CephCluster): Set<string> {
  const out = run('rados', ['-c', join(cluster.dir, 'ceph.conf'), '-p', 'default.rgw.control', 'listwatchers', 'notify.0']);
  return new Set([...out.matchAll(/watcher=(\S+)/g)].map((m) => m[1]!));
}

/**
 * Start one more radosgw of the same cluster on its own port (a test that kills it leaves the
 * shared one serving). Stop it with {@link stopDaemon}; after killing it, call
 * {@link evictRadosgw}.
 */
export async function startExtraRadosgw(cluster: CephCluster, name: string): Promise<ExtraRadosgw> {
  const before = controlWatchers(cluster);
  const port = await freePort();
  const conf = join(cluster.dir, 'ceph.conf');
  const pid = daemon(cluster.dir, `rgw-${name}`, 'radosgw', [
    '-c',
    conf,
    '-n',
    'client.rgw',
    '-f',
    `--rgw-frontends=beast endpoint=127.0.0.1:${port} tcp_nodelay=1`,
    `--admin-socket=${cluster.dir}/run/rgw-${name}.asok`,
    `--log-file=${cluster.dir}/rgw-${name}.log`,
    `--pid-file=${cluster.dir}/run/rgw-${name}.pid`,
  ]);
  try {
    await waitFor(`radosgw ${name}`, async () => {
      if (!alive(pid)) throw new Error(`ceph: radosgw ${name} exited\n${logTails(cluster.dir)}`);
      return answers(port);
    });
  } catch (error) {
    await stopPid(pid);
    throw error;
  }
  // It watches the control objects before it serves HTTP: the new watcher is this one.
  const clients = [...controlWatchers(cluster)].filter((client) => !before.has(client));
  return { endpoint: `http://127.0.0.1:${port}`, pid, clients };
}

/**
 * After a radosgw was killed: blocklist its RADOS client, as an orchestrator evicts a dead
 * daemon. Until its watch on the control objects times out (30 s), every metadata change of
 * the other radosgw (creating a bucket) would wait for the dead one to acknowledge.
 */
export async function evictRadosgw(cluster: CephCluster, rgw: ExtraRadosgw): Promise<void> {
  await stopPid(rgw.pid);
  for (const client of rgw.clients) run('ceph', ['-c', join(cluster.dir, 'ceph.conf'), 'osd', 'blocklist', 'add', client]);
}

/** Stop a daemon by its pid: SIGTERM, then SIGKILL after `graceMs`. */
export function stopDaemon(pid: number, graceMs?: number): Promise<void> {
  return stopPid(pid, graceMs);
}
