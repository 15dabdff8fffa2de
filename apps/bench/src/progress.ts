import type { CaseResult } from './measure.js';
import { formatSize } from './format.js';

/** What a progress display needs to know about the case that is about to run. */
export interface CaseLabel {
  pattern: string;
  size: number;
  cache: string;
  contender: string;
  /** One-way delay of the latency mode's proxy, in milliseconds. */
  delayMs?: number;
}

/** The minimal stream a progress display writes to (process.stdout in the CLI). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function describe(label: CaseLabel): string {
  const where = label.delayMs ? `+${label.delayMs} ms` : label.cache;
  return `${where} ${label.pattern} ${formatSize(label.size)} ${label.contender}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** One result as a line of text: throughput, or the error, or the failed check. */
export function resultLine(result: CaseResult): string {
  if (result.error) return `error: ${result.error.split('\n')[0]}`;
  return `${Math.round(result.readsPerSecond).toLocaleString('en-US')} reads/s${result.verified ? '' : ' CHECKSUM MISMATCH'}`;
}

/**
 * Progress over the cases of a run. On a terminal it is one line redrawn in place (a bar, the
 * case running and the time left); elsewhere (CI, a pipe, a log file) one plain line per
 * finished case, since carriage returns make logs unreadable. Failures always get a line of
 * their own so they stay visible after the bar moves on.
 */
export class Progress {
  readonly #total: number;
  readonly #stream: ProgressStream;
  readonly #live: boolean;
  readonly #started = Date.now();
  #done = 0;
  #drawn = false;

  /** `live` defaults to a terminal that is not CI's. */
  constructor(total: number, stream: ProgressStream = process.stdout, live = stream.isTTY === true && !process.env.CI) {
    this.#total = total;
    this.#stream = stream;
    this.#live = live;
  }

  /** A case is about to run: redraw the bar with its name. */
  start(label: CaseLabel): void {
    if (!this.#live) return;
    const left = this.#done > 0 ? ` ~${duration(((Date.now() - this.#started) / this.#done) * (this.#total - this.#done))} left` : '';
    const width = 20;
    const filled = Math.round((this.#done / Math.max(1, this.#total)) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#count()} ${describe(label)}${left}`;
    this.#draw(line);
  }

  /** A case finished. */
  done(result: CaseResult): void {
    this.#done++;
    const line = `${this.#count()} ${describe(result.spec)}: ${resultLine(result)}`;
    if (!this.#live) {
      this.#stream.write(`${line}\n`);
    } else if (result.error || !result.verified) {
      this.#clear();
      this.#stream.write(`${line}\n`);
    }
  }

  /** The run is over: leave a clean line for the table. */
  finish(): void {
    if (!this.#live) return;
    this.#clear();
    this.#stream.write(`${this.#total} cases in ${duration(Date.now() - this.#started)}\n`);
  }

  #count(): string {
    return `[${String(this.#done).padStart(String(this.#total).length)}/${this.#total}]`;
  }

  #draw(line: string): void {
    const columns = this.#stream.columns ?? 100;
    this.#stream.write(`\r\x1b[2K${line.length >= columns ? `${line.slice(0, columns - 2)}…` : line}`);
    this.#drawn = true;
  }

  #clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
