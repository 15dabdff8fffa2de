import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import ms from 'ms';
import { TARGET_NAMES } from './targets/plan-targets.js';
import type { RunnerOptions } from './target-runner.js';

/**
 * The parsed command line: what each target's runner takes, and the run's own options.
 * Durations are in milliseconds, sizes in bytes.
 */
export interface Options extends RunnerOptions {
  readonly help: boolean;
  readonly durationMs: number;
  readonly seed: number;
  /** Target names to run (every one that starts when empty). */
  readonly targets: readonly string[];
  readonly connections: number;
  readonly hangBoundMs: number;
  readonly sampleEveryMs: number;
  readonly warmupMs: number;
  readonly rssSlack: number;
  readonly rssRatio: number;
  readonly fdSlack: number;
  readonly fdRatio: number;
  readonly progressEveryMs: number;
  readonly json?: string;
}

export const USAGE = `mfio-soak: mixed, aborted and restarted I/O on every backend and on netfs, every byte checked

  pnpm soak [options]             one minute on every target that starts here

Options (defaults in brackets; durations as 500ms, 30s, 10m, 1h):
  --duration D        how long to run, then stop, check and close everything        [1m]
  --seed N            seed of every random choice; printed at the start to replay   [random]
  --targets LIST      io_uring,threadpool,libuv,virt,netfs:io_uring,netfs:threadpool,netfs:libuv
                                                                      [every one that starts]
  --files N           files per target                                              [3]
  --file-kib N        size of each file in KiB                                      [1024]
  --handles N         handles open on each file (netfs: spread over the connections)[4]
  --connections N     client connections to each netfs server                       [4]
  --concurrency N     requests each target keeps in flight                          [32]
  --max-io-kib N      largest read or write in KiB                                  [64]
  --abort-rate R      share of requests aborted at a random moment                  [0.1]
  --reopen-rate R     share of steps that close a busy handle and open it again     [0.01]
  --restart-every D   mean time between kills of each netfs server; 0: never        [15s]
  --reset-bound D     requests in flight on a killed server must fail within this   [30s]
  --hang-bound D      a request older than this fails the run (it hangs)            [30s]
  --sample-every D    RSS and descriptor sampling interval                          [1s]
  --warmup D          samples before this are not judged for growth   [duration/5, at most 10s]
  --rss-slack-mib N   RSS growth always allowed (MiB)                               [64]
  --rss-ratio R       RSS growth allowed in proportion to the early level           [0.25]
  --fd-slack N        descriptor growth always allowed                              [16]
  --fd-ratio R        descriptor growth allowed in proportion to the early level    [0.1]
  --progress-every D  a progress line this often                                    [10s]
  --json FILE         also write the summary as JSON to FILE
  --help              this text

Growth: the median of the last third of the samples after the warm-up may exceed the median of
the first third by at most slack + ratio x that median. A netfs server is judged within each of
its lifetimes (a restart starts it afresh), after a warm-up of two samples. Exit code 0 when nothing failed, 1 when something did, 2 for a bad option.`;

/** A bad command line: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

function duration(text: string, flag: string, allowZero = false): number {
  if (allowZero && text.trim() === '0') return 0;
  // ms takes a bare number as milliseconds; "--duration 60" more likely means seconds: ask.
  let value: number | undefined;
  try {
    value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? undefined : ms(text as ms.StringValue);
  } catch {
    value = undefined; // ms throws on strings over 100 characters
  }
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} needs a duration with a unit (500ms, 30s, 10m, 1h), got '${text}'`);
  }
  return value;
}

function integer(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} needs an integer >= ${min}, got '${text}'`);
  return n;
}

function ratio(text: string, flag: string, max: number): number {
  const r = Number(text);
  if (text.trim() === '' || !Number.isFinite(r) || r < 0 || r > max) throw new UsageError(`${flag} needs a number from 0 to ${max}, got '${text}'`);
  return r;
}

/** Parse the command line. @throws UsageError on a bad option. */
export function parseOptions(argv: string[]): Options {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        duration: { type: 'string', default: '1m' },
        seed: { type: 'string' },
        targets: { type: 'string' },
        files: { type: 'string', default: '3' },
        'file-kib': { type: 'string', default: '1024' },
        handles: { type: 'string', default: '4' },
        connections: { type: 'string', default: '4' },
        concurrency: { type: 'string', default: '32' },
        'max-io-kib': { type: 'string', default: '64' },
        'abort-rate': { type: 'string', default: '0.1' },
        'reopen-rate': { type: 'string', default: '0.01' },
        'restart-every': { type: 'string', default: '15s' },
        'reset-bound': { type: 'string', default: '30s' }, // a hang bound: a loaded machine is slow
        'hang-bound': { type: 'string', default: '30s' },
        'sample-every': { type: 'string', default: '1s' },
        warmup: { type: 'string' },
        'rss-slack-mib': { type: 'string', default: '64' },
        'rss-ratio': { type: 'string', default: '0.25' },
        'fd-slack': { type: 'string', default: '16' },
        'fd-ratio': { type: 'string', default: '0.1' },
        'progress-every': { type: 'string', default: '10s' },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const durationMs = duration(values.duration, '--duration');
  const fileSize = integer(values['file-kib'], '--file-kib', 1) * 1024;
  const maxIo = integer(values['max-io-kib'], '--max-io-kib', 1) * 1024;
  const targets =
    values.targets === undefined
      ? []
      : values.targets
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
  const unknown = targets.filter((t) => !TARGET_NAMES.includes(t));
  if (unknown.length > 0) throw new UsageError(`unknown target(s) ${unknown.join(', ')}; the targets are ${TARGET_NAMES.join(', ')}`);
  if (maxIo > fileSize) throw new UsageError(`--max-io-kib (${maxIo / 1024}) must not exceed --file-kib (${fileSize / 1024})`);
  return {
    help: values.help,
    durationMs,
    seed: values.seed === undefined ? randomInt(2 ** 31) : integer(values.seed, '--seed', 0),
    targets,
    files: integer(values.files, '--files', 1),
    fileSize,
    handlesPerFile: integer(values.handles, '--handles', 1),
    connections: integer(values.connections, '--connections', 1),
    concurrency: integer(values.concurrency, '--concurrency', 1),
    maxIo,
    abortRate: ratio(values['abort-rate'], '--abort-rate', 1),
    reopenRate: ratio(values['reopen-rate'], '--reopen-rate', 1),
    restartEveryMs: duration(values['restart-every'], '--restart-every', true),
    resetBoundMs: duration(values['reset-bound'], '--reset-bound'),
    hangBoundMs: duration(values['hang-bound'], '--hang-bound'),
    sampleEveryMs: duration(values['sample-every'], '--sample-every'),
    warmupMs: values.warmup === undefined ? Math.min(10_000, durationMs / 5) : duration(values.warmup, '--warmup', true),
    rssSlack: integer(values['rss-slack-mib'], '--rss-slack-mib', 0) * (1 << 20),
    rssRatio: ratio(values['rss-ratio'], '--rss-ratio', 100),
    fdSlack: integer(values['fd-slack'], '--fd-slack', 0),
    fdRatio: ratio(values['fd-ratio'], '--fd-ratio', 100),
    progressEveryMs: duration(values['progress-every'], '--progress-every'),
    ...(values.json === undefined ? {} : { json: values.json }),
  };
}
