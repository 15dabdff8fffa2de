#!/usr/bin/env node
/**
 * mfio-soak: mixed, aborted and restarted I/O on every backend and on netfs for a while, every
 * byte checked against a model, with a hang detector and RSS/descriptor growth checks. Exit
 * code 0 when nothing failed, 1 when something did, 2 for a bad option.
 */
import { writeFile } from 'node:fs/promises';
import { parseOptions, UsageError, USAGE, type Options } from './options.js';
import { Soak } from './soak.js';
import { formatSummary, millis } from './summary.js';

/** After a hang, how long closing may take before the process exits anyway. */
const GRACE_AFTER_HANG_MS = 15_000;

const out = (line: string): void => console.log(line);

/** The command that repeats this run: the same options with the seed it used. */
function replayCommand(argv: readonly string[], seed: number): string {
  const kept = argv.filter((arg, i) => !arg.startsWith('--seed') && argv[i - 1] !== '--seed');
  return ['pnpm soak', `--seed ${seed}`, ...kept].join(' ');
}

async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mfio-soak: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    out(USAGE);
    return 0;
  }
  out(
    `mfio-soak: seed ${options.seed}, ${millis(options.durationMs)}, ${options.concurrency} requests in flight per target, ` +
      `aborts ${options.abortRate * 100} %, server restarts every ~${options.restartEveryMs > 0 ? millis(options.restartEveryMs) : 'never'}, hang bound ${millis(options.hangBoundMs)}`,
  );
  const replay = replayCommand(argv, options.seed);
  const soak = new Soak(options, out);
  process.once('SIGINT', () => {
    out('SIGINT: stopping (again to exit at once)');
    soak.stop();
    process.once('SIGINT', () => process.exit(130));
  });
  // A hang may keep closing from finishing too: then report what is known and exit. The exit
  // handler of the server processes kills them (by pid).
  let forced: NodeJS.Timeout | undefined;
  const report = await soak.run(() => {
    forced ??= setTimeout(() => {
      out(`closing did not finish within ${millis(GRACE_AFTER_HANG_MS)} of the hang; exiting`);
      out(formatSummary(soak.report(), replay));
      soak.removeFilesNow();
      process.exit(1);
    }, GRACE_AFTER_HANG_MS);
  });
  clearTimeout(forced);
  out('');
  out(formatSummary(report, replay));
  if (options.json !== undefined) await writeFile(options.json, JSON.stringify(report, null, 2) + '\n');
  return report.passed ? 0 : 1;
}

// Until the run says otherwise, an exit is a failure (a run that never finished).
process.exitCode = 1;
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
