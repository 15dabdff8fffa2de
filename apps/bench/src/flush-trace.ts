/**
 * The fsync and fdatasync calls the kernel ran on one file, whoever issued them, counted and
 * timed: ext4's `sync_file` tracepoints in a tracefs instance of our own, filtered on the file's
 * inode. strace and `perf trace` see system calls only, and a flush on io_uring is none (an
 * io-wq worker calls the filesystem directly). Needs root, tracefs, and the file on ext4.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TRACEFS = '/sys/kernel/tracing';
const EXT4_SUPER_MAGIC = 0xef53;
const EVENTS = ['ext4_sync_file_enter', 'ext4_sync_file_exit'];
/** Per CPU: a 2 s run of 20k flushes/s takes about 3 MiB; a fuller one reports lost events. */
const BUFFER_KIB = 8192;

/** Flushes of one file that entered and left the filesystem while the trace ran. */
export interface FlushTally {
  count: number;
  /** Their latencies summed, in seconds. */
  busySeconds: number;
  /** The kernel dropped events (the buffer filled): the tally is short. */
  lost: boolean;
}

/** Why flushes of files in `dir` cannot be traced here, or undefined if they can. */
export function flushTraceUnavailable(dir: string): string | undefined {
  if (process.platform !== 'linux') return 'tracefs is Linux only';
  if (!existsSync(join(TRACEFS, 'instances'))) return `no tracefs at ${TRACEFS}`;
  if (!EVENTS.every((event) => existsSync(join(TRACEFS, 'events', 'ext4', event)))) return 'no ext4 sync_file tracepoints';
  if (statfsSync(dir).type !== EXT4_SUPER_MAGIC) return `${dir} is not on ext4`;
  try {
    const probe = new FlushTrace(dir);
    probe.stop();
  } catch (error) {
    return `tracefs: ${(error as Error).message}`;
  }
  return undefined;
}

/** A trace of the flushes of one file, from construction to {@link stop}. */
export class FlushTrace {
  readonly #instance = join(TRACEFS, 'instances', `mfio-io-bench-${process.pid}`);
  readonly #device: string;
  readonly #ino: bigint;

  constructor(path: string) {
    const st = statSync(path, { bigint: true });
    // glibc's encoding of st_dev; the tracepoint prints the kernel's major,minor.
    const major = ((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn);
    const minor = (st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn);
    this.#device = `${major},${minor}`;
    this.#ino = st.ino;
    mkdirSync(this.#instance);
    try {
      writeFileSync(join(this.#instance, 'buffer_size_kb'), String(BUFFER_KIB));
      for (const event of EVENTS) {
        const dir = join(this.#instance, 'events', 'ext4', event);
        writeFileSync(join(dir, 'filter'), `ino == ${st.ino}`);
        writeFileSync(join(dir, 'enable'), '1');
      }
    } catch (error) {
      rmdirSync(this.#instance);
      throw error;
    }
  }

  /** Stop tracing, remove the instance, and tally what it saw. */
  stop(): FlushTally {
    try {
      writeFileSync(join(this.#instance, 'tracing_on'), '0');
      const tally = parseFlushTrace(readFileSync(join(this.#instance, 'trace'), 'utf8'), this.#device, this.#ino);
      const perCpu = join(this.#instance, 'per_cpu');
      for (const cpu of readdirSync(perCpu)) {
        const stats = readFileSync(join(perCpu, cpu, 'stats'), 'utf8');
        if (/^(overrun|dropped events): [1-9]/m.test(stats)) tally.lost = true;
      }
      return tally;
    } finally {
      rmdirSync(this.#instance);
    }
  }
}

const LINE = /-(\d+)\s+\[\d+\]\s+(?:\S+\s+)?(\d+\.\d+): ext4_sync_file_(enter|exit): dev (\d+,\d+) ino (\d+)/;

/**
 * Pair each thread's enter with its exit in a tracefs `trace` text: the flushes of inode `ino`
 * on device `device` ("major,minor") that completed, and their latencies.
 */
export function parseFlushTrace(text: string, device: string, ino: bigint): FlushTally {
  const entered = new Map<string, number>();
  const tally: FlushTally = { count: 0, busySeconds: 0, lost: false };
  for (const line of text.split('\n')) {
    if (/\[LOST \d+ EVENTS\]/.test(line)) tally.lost = true;
    const m = LINE.exec(line);
    if (m === null || m[4] !== device || BigInt(m[5]!) !== ino) continue;
    const [, tid, time, kind] = m;
    if (kind === 'enter') {
      entered.set(tid!, Number(time));
    } else if (entered.has(tid!)) {
      tally.count++;
      tally.busySeconds += Number(time) - entered.get(tid!)!;
      entered.delete(tid!);
    }
  }
  return tally;
}
