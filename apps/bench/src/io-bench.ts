/**
 * Unbuffered reads and the write path (issue 19), beside Node and fio in one run:
 * - cold random 4 KiB reads with `direct` (O_DIRECT), 64 in flight, against fio's O_DIRECT
 *   io_uring at queue depth 64 on the same file and the C++ ring (apps/bench/native/uring_io.cc);
 * - random 4 KiB overwrites of a preallocated file: mfio 64 in flight (buffered and direct),
 *   `writeSync` in a loop, `fs.promises` `write` 64 in flight, the C++ ring 64 in flight
 *   (buffered and O_DIRECT), fio O_DIRECT io_uring QD64;
 * - 64 writers appending 4 KiB records to one file, each record durable (fdatasync) before the
 *   writer's next: mfio `writeDurable` (linked on io_uring), mfio `writeAllAt` + `datasync`
 *   (group commit), `fs.promises` `write` + `datasync`.
 * Contenders take turns run by run (--repeat); each run lasts --time ms; the table gives each
 * one's median ops/s and the ratio to the workload's reference. Every write case checks the
 * file's bytes afterwards (fio's excepted: it writes its own pattern).
 *
 * Usage: node dist/io-bench.js [--repeat N] [--time MS] [--dir DIR] [--out DIR] [--only LIST]
 * Needs fio on PATH for its rows (apt-get install fio), and g++ and io_uring for the C++ ring's;
 * without them those rows are left out, saying why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants as fsConstants, existsSync, fsyncSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { open as openPromises } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SeededRandom } from '@mfio/core';
import { alignedBuffer, NativeRt, type BackendName, type FileHandle } from '@mfio/rt';
import { flushTraceUnavailable, FlushTrace, type FlushTally } from './flush-trace.js';
import { nativeAppends, nativeDirectReads, nativeIoUnavailable, nativeOverwrites } from './native-io.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BLOCK = 4096;
const IN_FLIGHT = 64;
const READ_FILE_SIZE = 1 << 30;
const WRITE_FILE_SIZE = 64 << 20;

interface Options {
  repeat: number;
  timeMs: number;
  dir: string;
  /** Where io-latest.md goes (bench/local; --out bench/results for the committed run). */
  out: string;
  only: string[];
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      repeat: { type: 'string', default: '3' },
      time: { type: 'string', default: '2000' },
      dir: { type: 'string', default: join(repoRoot, 'bench', 'local', 'io') },
      out: { type: 'string', default: join(repoRoot, 'bench', 'local') },
      only: { type: 'string', default: '' },
    },
  });
  return {
    repeat: Number(values.repeat),
    timeMs: Number(values.time),
    // Relative to where the command was typed: `pnpm --filter @mfio/bench bench:io` runs this in
    // apps/bench, and pnpm says where it was started in INIT_CWD.
    dir: resolve(process.env['INIT_CWD'] ?? '.', values.dir),
    out: resolve(process.env['INIT_CWD'] ?? '.', values.out),
    only: values.only === '' ? [] : values.only.split(','),
  };
}

/** One contender's run: operations per second, and whether the file held what it wrote. */
interface Run {
  opsPerSecond: number;
  verified: boolean;
  /** The appenders' workload: where the run's time went. */
  profile?: FlushProfile;
}

interface Contender {
  name: string;
  run(timeMs: number, seed: number): Promise<Run>;
}

interface Workload {
  name: string;
  /** The contender the others are divided by. */
  reference: string;
  contenders: Contender[];
}

const DIRECT_READS = 'cold random 4 KiB reads, O_DIRECT, 64 in flight';
const OVERWRITES = 'random 4 KiB overwrites of a 64 MiB file';
const APPENDS = '64 writers appending 4 KiB records, each fdatasync-ed before the next';

/** A figure issue 19 asks for: each of `contenders` at least `atLeast` times `versus` (medians). */
interface Target {
  what: string;
  workload: string;
  contenders: string[];
  versus: string;
  atLeast: number;
}

const BUFFERED_WRITERS = ['mfio:io_uring:writeAt', 'mfio:threadpool:writeAt'];
const TARGETS: Target[] = [
  {
    what: 'cold random 4 KiB reads with direct, 64 in flight ≥ 0.9× fio O_DIRECT io_uring QD64',
    workload: DIRECT_READS,
    contenders: ['mfio:io_uring:readAt:direct', 'mfio:threadpool:readAt:direct'],
    versus: 'fio:io_uring:direct:qd64',
    atLeast: 0.9,
  },
  // Buffered, as writeSync and fs.promises write are (direct writes wait for the disk).
  { what: 'random 4 KiB writes ≥ 1× writeSync in a loop', workload: OVERWRITES, contenders: BUFFERED_WRITERS, versus: 'node:writeSync', atLeast: 1 },
  { what: 'random 4 KiB writes ≥ 3× fs.promises, 64 in flight', workload: OVERWRITES, contenders: BUFFERED_WRITERS, versus: 'node:promises:write', atLeast: 3 },
  {
    what: '64 appending writers, per-record fdatasync ≥ 5× fs.promises',
    workload: APPENDS,
    contenders: ['mfio:io_uring:writeDurable', 'mfio:io_uring:writeAllAt+datasync'],
    versus: 'node:promises:write+datasync',
    atLeast: 5,
  },
];

/** Each contender's median ops/s and whether its bytes were right, by workload. */
type Medians = Map<string, Map<string, { ops: number; verified: boolean }>>;

/** The targets block: one row per target and contender, met or missed by this run's medians. */
function targetsReport(medians: Medians): string[] {
  const lines = ['', '### Targets (issue 19)', '', '| target | contender | measured | met |', '|---|---|---:|---|'];
  for (const target of TARGETS) {
    const workload = medians.get(target.workload);
    const versus = workload?.get(target.versus);
    for (const name of target.contenders) {
      const own = workload?.get(name);
      if (own === undefined || versus === undefined) {
        lines.push(`| ${target.what} | ${name} | - | not measured (${own === undefined ? name : target.versus} did not run) |`);
        continue;
      }
      const ratio = own.ops / versus.ops;
      const met = !own.verified ? 'missed (bytes wrong)' : ratio >= target.atLeast ? 'met' : 'missed';
      lines.push(`| ${target.what} | ${name} | ${ratio.toFixed(2)}× | ${met} |`);
    }
  }
  return lines;
}

/** Run `one` from `workers` loops until `timeMs` has passed; the count of operations done. */
async function loops(workers: number, timeMs: number, one: (worker: number, op: number) => Promise<void>): Promise<number> {
  const end = performance.now() + timeMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < end) await one(worker, done++);
    }),
  );
  return done;
}

function fioAvailable(): boolean {
  return spawnSync('fio', ['--version']).status === 0;
}

/** fio on `path`: O_DIRECT io_uring, 4 KiB, QD64, random `rw` for `timeMs`; its IOPS. */
function fio(path: string, rw: 'randread' | 'randwrite', timeMs: number, size: number): number {
  const out = execFileSync(
    'fio',
    [
      '--name=mfio-bench',
      `--filename=${path}`,
      `--rw=${rw}`,
      '--bs=4k',
      '--direct=1',
      '--ioengine=io_uring',
      '--iodepth=64',
      `--size=${size}`,
      '--time_based',
      `--runtime=${Math.max(1, Math.round(timeMs / 1000))}`,
      '--output-format=json',
    ],
    { encoding: 'utf8' },
  );
  const job = (JSON.parse(out) as { jobs: Array<Record<'read' | 'write', { iops: number }>> }).jobs[0]!;
  return rw === 'randread' ? job.read.iops : job.write.iops;
}

/** A file of `size` bytes of seeded data at `path`, made once. */
function sampleFile(path: string, size: number): void {
  if (existsSync(path) && statSync(path).size === size) return;
  const fd = openSync(path, 'w');
  const random = new SeededRandom(19);
  const chunk = Buffer.from(random.bytes(1 << 20));
  for (let at = 0; at < size; at += chunk.length) writeSync(fd, chunk, 0, chunk.length, at);
  closeSync(fd);
}

/** A 4 KiB record that says who wrote it: `stamp` in the first 8 bytes, the rest `fill`. */
function record(stamp: number, fill: number): Buffer {
  const b = alignedBuffer(BLOCK);
  b.fill(fill);
  b.writeDoubleLE(stamp, 0);
  return b;
}

/** The stamps of a file's 4 KiB records (read with node:fs, independently of the contender). */
function stampsOf(path: string): Float64Array {
  const fd = openSync(path, 'r');
  const size = statSync(path).size;
  const stamps = new Float64Array(size / BLOCK);
  const b = Buffer.alloc(8);
  for (let i = 0; i < stamps.length; i++) {
    readSync(fd, b, 0, 8, i * BLOCK);
    stamps[i] = b.readDoubleLE(0);
  }
  closeSync(fd);
  return stamps;
}

/** Which outside contenders this machine can run. */
interface Peers {
  fio: boolean;
  /** The C++ ring (g++ built it, and this process may set up a ring). */
  native: boolean;
}

/** fsync `path`: what the page cache holds of it is on the disk when this returns. */
function writtenBack(path: string): void {
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

function coldReads(dir: string, peers: Peers): Workload {
  const path = join(dir, 'read-1g.bin');
  sampleFile(path, READ_FILE_SIZE);
  const blocks = READ_FILE_SIZE / BLOCK;
  const mfio = (backend: BackendName): Contender => ({
    name: `mfio:${backend}:readAt:direct`,
    async run(timeMs, seed) {
      const rt = NativeRt.builder().enable(backend).build();
      const file = await rt.open(path, { read: true, direct: true });
      const random = new SeededRandom(seed);
      const into = Array.from({ length: IN_FLIGHT }, () => alignedBuffer(BLOCK));
      let verified = true;
      const count = await loops(IN_FLIGHT, timeMs, async (worker) => {
        if ((await file.readAt(random.int(blocks) * BLOCK, into[worker]!)) !== BLOCK) verified = false;
      });
      verified &&= file.directIo !== null && file.directIo.bounced === 0;
      await file.close();
      await rt.close();
      return { opsPerSecond: (count / timeMs) * 1000, verified };
    },
  });
  const contenders: Contender[] = [
    mfio('io_uring'),
    mfio('threadpool'),
    {
      // What Node itself can do: fs.promises with O_DIRECT, into page-aligned buffers.
      name: 'node:promises:read:O_DIRECT',
      async run(timeMs: number, seed: number): Promise<Run> {
        const fh = await openPromises(path, fsConstants.O_RDONLY | fsConstants.O_DIRECT);
        const random = new SeededRandom(seed);
        const into = Array.from({ length: IN_FLIGHT }, () => alignedBuffer(BLOCK));
        let verified = true;
        const count = await loops(IN_FLIGHT, timeMs, async (worker) => {
          if ((await fh.read(into[worker]!, 0, BLOCK, random.int(blocks) * BLOCK)).bytesRead !== BLOCK) verified = false;
        });
        await fh.close();
        return { opsPerSecond: (count / timeMs) * 1000, verified };
      },
    },
  ];
  if (peers.native)
    contenders.push({
      // The reads' lengths checked, as the others' are.
      name: 'c++:io_uring:direct',
      async run(timeMs, seed) {
        const out = nativeDirectReads(path, BLOCK, IN_FLIGHT, timeMs, seed);
        return { opsPerSecond: out.ops / out.seconds, verified: out.failed === 0 };
      },
    });
  if (peers.fio)
    contenders.push({
      name: 'fio:io_uring:direct:qd64',
      run: async (timeMs) => ({ opsPerSecond: fio(path, 'randread', timeMs, READ_FILE_SIZE), verified: true }),
    });
  return { name: DIRECT_READS, reference: 'fio:io_uring:direct:qd64', contenders };
}

/**
 * Random 4 KiB overwrites: each run writes records stamped with the run's seed at shuffled
 * blocks (round after round through the same order: a fast contender fills the file in well
 * under a second), then checks that every block it wrote holds its record.
 */
function randomWrites(dir: string, peers: Peers): Workload {
  const blocks = WRITE_FILE_SIZE / BLOCK;
  // Each file is written back before a contender starts on it and after it finished (untimed):
  // the disk is shared, and a direct writer that ran while the buffered writers' hundreds of MiB
  // were still being written back measured a fraction of what it does alone.
  const prepared = (name: string): string => {
    const path = join(dir, `write-${name.replace(/[^a-z0-9]+/gi, '-')}.bin`);
    writeFileSync(path, Buffer.alloc(WRITE_FILE_SIZE));
    writtenBack(path);
    return path;
  };
  /** Blocks in a seeded order, and a check of the file after `count` of them were written. */
  const plan = (seed: number) => {
    // Fisher-Yates: every block once, in an order the seed repeats.
    const random = new SeededRandom(seed);
    const order = Array.from({ length: blocks }, (_, i) => i);
    for (let i = blocks - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return {
      order,
      check: (path: string, count: number): boolean => {
        writtenBack(path);
        const stamps = stampsOf(path);
        for (let i = 0; i < Math.min(count, blocks); i++) if (stamps[order[i]!] !== seed) return false;
        return true;
      },
    };
  };
  const mfio = (backend: BackendName, direct: boolean): Contender => ({
    name: `mfio:${backend}:writeAt${direct ? ':direct' : ''}`,
    async run(timeMs, seed) {
      const path = prepared(`mfio-${backend}${direct ? '-direct' : ''}`);
      const { order, check } = plan(seed);
      const rt = NativeRt.builder().enable(backend).build();
      const file = await rt.open(path, { write: true, direct });
      const data = record(seed, 0x5a);
      let next = 0;
      const count = await loops(IN_FLIGHT, timeMs, async () => {
        await file.writeAllAt(order[next++ % blocks]! * BLOCK, data);
      });
      await file.close();
      await rt.close();
      return { opsPerSecond: (count / timeMs) * 1000, verified: check(path, next) };
    },
  });
  const contenders: Contender[] = [
    mfio('io_uring', false),
    // ext4 has no async buffered writes: io_uring hands each one to an io-wq worker, where the
    // thread pool's workers take them in batches.
    mfio('threadpool', false),
    mfio('io_uring', true),
    {
      name: 'node:writeSync',
      async run(timeMs, seed) {
        const path = prepared('node-sync');
        const { order, check } = plan(seed);
        const fd = openSync(path, 'r+');
        const data = record(seed, 0x5a);
        const end = performance.now() + timeMs;
        let i = 0;
        for (; performance.now() < end; i++) writeSync(fd, data, 0, BLOCK, order[i % blocks]! * BLOCK);
        closeSync(fd);
        return { opsPerSecond: (i / timeMs) * 1000, verified: check(path, i) };
      },
    },
    {
      name: 'node:promises:write',
      async run(timeMs, seed) {
        const path = prepared('node-promises');
        const { order, check } = plan(seed);
        const fh = await openPromises(path, 'r+');
        const data = record(seed, 0x5a);
        let next = 0;
        const count = await loops(IN_FLIGHT, timeMs, async () => {
          await fh.write(data, 0, BLOCK, order[next++ % blocks]! * BLOCK);
        });
        await fh.close();
        return { opsPerSecond: (count / timeMs) * 1000, verified: check(path, next) };
      },
    },
  ];
  // The C++ ring writes the same records in the same order, so its file is checked alike.
  const native = (direct: boolean): Contender => ({
    name: `c++:io_uring${direct ? ':direct' : ''}`,
    async run(timeMs, seed) {
      const path = prepared(`native${direct ? '-direct' : ''}`);
      const { order, check } = plan(seed);
      const out = nativeOverwrites(path, { size: BLOCK, depth: IN_FLIGHT, timeMs, order, stamp: seed, fill: 0x5a, direct });
      return { opsPerSecond: out.ops / out.seconds, verified: out.failed === 0 && check(path, out.ops) };
    },
  });
  if (peers.native) contenders.push(native(false), native(true));
  if (peers.fio) {
    contenders.push({
      name: 'fio:io_uring:direct:qd64',
      run: async (timeMs) => ({ opsPerSecond: fio(prepared('fio'), 'randwrite', timeMs, WRITE_FILE_SIZE), verified: true }),
    });
  }
  return { name: OVERWRITES, reference: 'node:writeSync', contenders };
}

/**
 * Where an appenders' run went, for the report's profile of that workload (summed over runs):
 * the flushes asked for and those the filesystem ran, what the writers waited for, the CPU.
 */
interface FlushProfile {
  records: number;
  seconds: number;
  /** fdatasync calls issued: mfio's completed fsync operations, Node's `datasync` calls. */
  issued: number;
  /** The flushes ext4 ran on the file (flush-trace.ts); undefined where they cannot be traced. */
  kernel: FlushTally | undefined;
  /** Seconds the writers spent waiting for their writes (NaN: write and flush are one call). */
  writeWait: number;
  /** Seconds the writers spent waiting for their records to be durable once written. */
  flushWait: number;
  /** CPU the process used (its io_uring and thread-pool workers included). */
  cpuSeconds: number;
}

/**
 * Starts measuring an appenders' run on `path` (open, before the writers start); the function it
 * returns stops and gives the profile, from the writers' tallies (milliseconds).
 */
function profiling(path: string, traced: boolean): (records: number, issued: number, writeWaitMs: number, flushWaitMs: number) => FlushProfile {
  const trace = traced ? new FlushTrace(path) : undefined;
  const cpu = process.cpuUsage();
  const began = performance.now();
  return (records, issued, writeWaitMs, flushWaitMs) => {
    const seconds = (performance.now() - began) / 1000;
    const used = process.cpuUsage(cpu);
    const kernel = trace?.stop();
    return { records, seconds, issued, kernel, writeWait: writeWaitMs / 1000, flushWait: flushWaitMs / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

/**
 * 64 writers appending 4 KiB records to one file, each durable before the writer's next: the
 * record at each position says which writer and which of its records it is; afterwards every
 * record reserved must be in the file. Each run is profiled (FlushProfile), `traced` says
 * whether the kernel's flushes can be counted too.
 */
function durableAppends(dir: string, traced: boolean, peers: Peers): Workload {
  const WRITERS = 64;
  const check = (path: string, count: number, seed: number): boolean => {
    const stamps = stampsOf(path);
    if (stamps.length < count) return false;
    for (let i = 0; i < count; i++) if (stamps[i] !== seed * 1e6 + i) return false;
    return true;
  };
  const mfio = (how: 'writeDurable' | 'datasync'): Contender => ({
    name: `mfio:io_uring:${how === 'writeDurable' ? 'writeDurable' : 'writeAllAt+datasync'}`,
    async run(timeMs, seed) {
      const path = join(dir, `append-${how}.bin`);
      const rt = NativeRt.builder().enable('io_uring').build();
      const file: FileHandle = await rt.open(path, { write: true, create: true, truncate: true });
      const fsyncs = (): number => rt.diagnostics().completed['fsync'] ?? 0;
      const issuedBefore = fsyncs();
      const profiled = profiling(path, traced);
      let next = 0;
      let writeWait = how === 'writeDurable' ? NaN : 0;
      let flushWait = 0;
      const count = await loops(WRITERS, timeMs, async () => {
        const i = next++;
        const data = record(seed * 1e6 + i, 0x33);
        const began = performance.now();
        if (how === 'writeDurable') {
          await file.writeDurable(i * BLOCK, data);
          flushWait += performance.now() - began;
        } else {
          await file.writeAllAt(i * BLOCK, data);
          const written = performance.now();
          await file.datasync();
          writeWait += written - began;
          flushWait += performance.now() - written;
        }
      });
      const profile = profiled(count, fsyncs() - issuedBefore, writeWait, flushWait);
      await file.close();
      await rt.close();
      return { opsPerSecond: (count / timeMs) * 1000, verified: check(path, next, seed), profile };
    },
  });
  // The same records from native threads, no JavaScript: each writer flushing for itself (what
  // Node's thread pool does, with a thread per writer), and group commit with one flusher.
  const native = (flush: 'own' | 'group'): Contender => ({
    name: `c++:threads:${flush === 'own' ? 'write+fdatasync' : 'group-commit'}`,
    async run(timeMs, seed) {
      const path = join(dir, `append-native-${flush}.bin`);
      const out = nativeAppends(path, { size: BLOCK, writers: WRITERS, timeMs, seed, fill: 0x33, flush });
      return { opsPerSecond: out.ops / out.seconds, verified: out.failed === 0 && check(path, out.ops, seed) };
    },
  });
  return {
    name: APPENDS,
    reference: 'node:promises:write+datasync',
    contenders: [
      mfio('writeDurable'),
      mfio('datasync'),
      ...(peers.native ? [native('own'), native('group')] : []),
      {
        name: 'node:promises:write+datasync',
        async run(timeMs, seed) {
          const path = join(dir, 'append-node.bin');
          const fh = await openPromises(path, 'w');
          const profiled = profiling(path, traced);
          let next = 0;
          let issued = 0;
          let writeWait = 0;
          let flushWait = 0;
          const count = await loops(WRITERS, timeMs, async () => {
            const i = next++;
            const began = performance.now();
            await fh.write(record(seed * 1e6 + i, 0x33), 0, BLOCK, i * BLOCK);
            const written = performance.now();
            issued++;
            await fh.datasync();
            writeWait += written - began;
            flushWait += performance.now() - written;
          });
          const profile = profiled(count, issued, writeWait, flushWait);
          await fh.close();
          return { opsPerSecond: (count / timeMs) * 1000, verified: check(path, next, seed), profile };
        },
      },
    ],
  };
}

/**
 * The appenders' profile, every run summed: one row per contender, and how its figures are got.
 * Flushes are the kernel's count where traced, else those issued.
 */
function profileReport(runs: Map<string, Run[]>, untraced: string | undefined): string[] {
  const lines = [
    '',
    "### The appenders' flushes",
    '',
    'Every run summed. fdatasync issued: by mfio, its completed fsync operations (`rt.diagnostics().completed`); by Node,',
    `its \`datasync\` calls. In ext4: ${untraced === undefined ? 'the flushes ext4 ran on the file, whoever called (its sync_file tracepoints, apps/bench/src/flush-trace.ts), with their latency there; at once: that latency × flushes/s' : `not traced (${untraced})`}.`,
    "A record's wait: what a writer waited for, per record, from the write's call to its flush's end (timed in JS).",
    'CPU: the process, its io_uring and thread-pool workers included, in cores busy.',
    '',
    "| contender | records/s | fdatasync issued | in ext4 | records per flush | flushes/s | flush latency (ms) | flushes at once | a record's wait: write + flush (ms) | CPU (cores) |",
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const [name, list] of runs) {
    const profiles = list.flatMap((run) => (run.profile === undefined ? [] : [run.profile]));
    if (profiles.length === 0) continue;
    const sum = (f: (p: FlushProfile) => number): number => profiles.reduce((total, p) => total + f(p), 0);
    const records = sum((p) => p.records);
    const seconds = sum((p) => p.seconds);
    const issued = sum((p) => p.issued);
    const kernel = profiles.every((p) => p.kernel !== undefined) ? profiles.map((p) => p.kernel!) : undefined;
    const kernelCount = kernel?.reduce((total, k) => total + k.count, 0);
    const busy = kernel?.reduce((total, k) => total + k.busySeconds, 0);
    const flushes = kernelCount ?? issued;
    const perRecordMs = (s: number): string => ((s / records) * 1000).toFixed(2);
    const writeWait = sum((p) => p.writeWait);
    const wait = Number.isNaN(writeWait)
      ? `${perRecordMs(sum((p) => p.flushWait))} (one call)`
      : `${perRecordMs(writeWait)} + ${perRecordMs(sum((p) => p.flushWait))}`;
    const cells = [
      name,
      (records / seconds).toFixed(0),
      issued,
      kernelCount === undefined ? '-' : `${kernelCount}${kernel!.some((k) => k.lost) ? ' (events lost)' : ''}`,
      (records / flushes).toFixed(1),
      (flushes / seconds).toFixed(0),
      busy === undefined || kernelCount === 0 ? '-' : ((busy / kernelCount!) * 1000).toFixed(3),
      busy === undefined ? '-' : (busy / seconds).toFixed(2),
      wait,
      (sum((p) => p.cpuSeconds) / seconds).toFixed(2),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const opts = options();
  mkdirSync(opts.dir, { recursive: true });
  const leftOut: string[] = [];
  const peers: Peers = { fio: fioAvailable(), native: false };
  if (!peers.fio) leftOut.push('fio: not on PATH (apt-get install fio)');
  const nativeUnavailable = nativeIoUnavailable();
  peers.native = nativeUnavailable === undefined;
  if (nativeUnavailable !== undefined) leftOut.push(`c++ (the native baselines): ${nativeUnavailable.split('\n')[0]}`);
  for (const line of leftOut) console.log(`left out: ${line}`);
  const loadBefore = loadavg()[0]!;
  const untraced = flushTraceUnavailable(opts.dir);
  if (untraced !== undefined) console.log(`the appenders' flushes are not traced: ${untraced}`);
  const workloads = [coldReads(opts.dir, peers), randomWrites(opts.dir, peers), durableAppends(opts.dir, untraced === undefined, peers)];
  const profiles: string[] = [];
  const lines: string[] = [
    '# Unbuffered reads and the write path (apps/bench/src/io-bench.ts)',
    '',
    `\`node apps/bench/dist/io-bench.js --repeat ${opts.repeat} --time ${opts.timeMs}\` (files in ${relative(repoRoot, opts.dir)}): contenders take turns, each run`,
    `${opts.timeMs} ms, the median of ${opts.repeat}; every mfio, Node and C++ write case checks the file's bytes afterwards.`,
    '',
    '| workload | contender | ops/s (median) | min-max | × reference | bytes checked |',
    '|---|---|---:|---:|---:|---|',
  ];
  const medians: Medians = new Map();
  for (const workload of workloads) {
    const contenders = workload.contenders.filter((c) => opts.only.length === 0 || opts.only.some((o) => c.name.includes(o)));
    const runs = new Map<string, Run[]>(contenders.map((c) => [c.name, []]));
    for (let r = 0; r < opts.repeat; r++) {
      for (const contender of contenders) {
        const run = await contender.run(opts.timeMs, 1000 + r);
        runs.get(contender.name)!.push(run);
        console.log(`  ${workload.name} | ${contender.name}: ${run.opsPerSecond.toFixed(0)} ops/s${run.verified ? '' : ' (BYTES WRONG)'}`);
      }
    }
    const reference = runs.get(workload.reference);
    const referenceMedian = reference === undefined ? NaN : median(reference.map((x) => x.opsPerSecond));
    medians.set(workload.name, new Map());
    for (const [name, list] of runs) {
      const ops = list.map((x) => x.opsPerSecond);
      medians.get(workload.name)!.set(name, { ops: median(ops), verified: list.every((x) => x.verified) });
      const ratio = Number.isNaN(referenceMedian) ? '-' : (median(ops) / referenceMedian).toFixed(2);
      const checked = name.startsWith('fio') ? 'fio' : list.every((x) => x.verified) ? 'ok' : 'WRONG';
      lines.push(
        `| ${workload.name} | ${name} | ${median(ops).toFixed(0)} | ${Math.min(...ops).toFixed(0)}-${Math.max(...ops).toFixed(0)} | ${ratio} | ${checked} |`,
      );
    }
    if ([...runs.values()].some((list) => list.some((run) => run.profile !== undefined))) profiles.push(...profileReport(runs, untraced));
  }
  lines.push(...targetsReport(medians), ...profiles);
  if (leftOut.length > 0) lines.push('', ...leftOut.map((line) => `Left out: ${line}.`));
  lines.push('', `Load average (1 min): ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`);
  const report = lines.join('\n') + '\n';
  console.log(`\n${report}`);
  const out = opts.out;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'io-latest.md'), report);
  console.log(`wrote ${join(out, 'io-latest.md')}`);
  if (lines.some((l) => l.endsWith('WRONG |'))) process.exitCode = 1;
}

await main();
