/** The kinds of operation the soak performs, as the summary lists them. */
export const OP_KINDS = ['readAt', 'readMany', 'writeAt', 'repair', 'open', 'close'] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** What happened on one target: the summary's row, and the JSON report's entry. */
export class TargetStats {
  readonly name: string;
  /** Operations that completed, by kind. */
  readonly ops: Record<OpKind, number> = { readAt: 0, readMany: 0, writeAt: 0, repair: 0, open: 0, close: 0 };
  /** Requests given a signal that was then aborted, and those that ended in ABORT_ERR. */
  abortsSent = 0;
  aborted = 0;
  /** Closes started while requests on the handle were in flight (close must wait for them). */
  busyCloses = 0;
  /** Writes that completed short, or failed part way: their unsure part became unknown. */
  partialWrites = 0;
  /** Server kills (and restarts). */
  restarts = 0;
  /** The longest a kill took to fail every request that was in flight on the dead server. */
  resetSettleMaxMs = 0;
  /** Bytes read and compared with the model; bytes read while unknown (not comparable). */
  bytesChecked = 0;
  bytesUnknown = 0;
  /** Bytes compared in the final read of every file, after every unknown range was rewritten. */
  finalBytesChecked = 0;
  /** Errors seen, by code: those the soak caused (aborts, resets) and the others. */
  readonly expectedErrors = new Map<string, number>();
  readonly unexpectedErrors = new Map<string, number>();

  constructor(name: string) {
    this.name = name;
  }

  get totalOps(): number {
    return Object.values(this.ops).reduce((a, b) => a + b, 0);
  }

  countError(code: string, expected: boolean): void {
    const map = expected ? this.expectedErrors : this.unexpectedErrors;
    map.set(code, (map.get(code) ?? 0) + 1);
  }
}
