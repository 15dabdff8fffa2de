import type { Growth } from './growth.js';
import type { Figure, SoakReport, TargetReport } from './report.js';
import { OP_KINDS } from './target-stats.js';

/** `1,234,567` */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `812 B`, `4.0 KiB`, `1.2 MiB`, `3.41 GiB` */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

/** `850 ms`, `12.3 s` */
export function millis(n: number): string {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
}

/** Columns padded to their widest cell; the first left-aligned, the others right-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

function codes(errors: Record<string, number>): string {
  return Object.entries(errors)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${count(n)}`)
    .join(', ');
}

function growth(g: Growth, unit: (n: number) => string): string {
  if (!g.judged) return 'not judged (fewer than 6 samples after the warm-up)';
  const verdict = g.ok ? 'within' : 'GREW PAST';
  return `early ${unit(g.early)} -> late ${unit(g.late)}, ${verdict} the bound ${unit(g.allowed)}`;
}

function fig(f: Figure, unit: (n: number) => string): string {
  return `first ${unit(f.first)}, last ${unit(f.last)}, max ${unit(f.max)}`;
}

function targetRow(t: TargetReport): string[] {
  return [
    t.name,
    ...OP_KINDS.map((k) => count(t.ops[k])),
    count(t.busyCloses),
    `${count(t.aborted)}/${count(t.abortsSent)}`,
    count(t.partialWrites),
    t.restarts > 0 ? count(t.restarts) : '-',
    t.restarts > 0 ? millis(t.resetSettleMaxMs) : '-',
    bytes(t.bytesChecked + t.finalBytesChecked),
    millis(t.maxRequestAgeMs),
  ];
}

/** The summary printed at the end of a run; `replay` is the command that repeats it. */
export function formatSummary(r: SoakReport, replay: string): string {
  const lines: string[] = [];
  lines.push(`summary: ${millis(r.elapsedMs)} of ${millis(r.plannedMs)}, seed ${r.seed}`);
  lines.push('');
  lines.push(
    ...table([
      ['target', ...OP_KINDS, 'busy close', 'aborted/sent', 'partial', 'restarts', 'reset max', 'checked', 'max age'],
      ...r.targets.map(targetRow),
    ]).map((l) => `  ${l}`),
  );
  lines.push('');
  lines.push('errors by code (expected: aborts the soak sent, resets of servers it killed):');
  for (const t of r.targets) {
    const expected = codes(t.expectedErrors);
    const unexpected = codes(t.unexpectedErrors);
    lines.push(`  ${t.name}: ${expected || 'none'}${unexpected ? `; UNEXPECTED: ${unexpected}` : ''}`);
  }
  for (const u of r.unavailable) lines.push(`not run: ${u.name}: ${u.reason}`);
  const wrong = r.failures.filter((f) => f.kind === 'wrong bytes').length;
  const hangs = r.failures.filter((f) => f.kind === 'hang' || f.kind === 'slow reset').length;
  const oldest = Math.max(0, ...r.targets.map((t) => t.maxRequestAgeMs));
  lines.push('');
  lines.push(
    `wrong bytes: ${wrong === 0 ? 'none' : `${wrong} read(s) failed`}; hangs: ${hangs === 0 ? 'none' : hangs} (bound ${millis(r.hangBoundMs)}; longest request ${millis(oldest)})`,
  );
  if (r.process !== null) {
    lines.push(`this process: rss ${fig(r.process.rss, bytes)}; fds ${fig(r.process.fds, count)}`);
    lines.push(`  rss growth: ${growth(r.process.rssGrowth, bytes)}`);
    lines.push(`  fds growth: ${growth(r.process.fdGrowth, count)}`);
  }
  for (const s of r.servers) {
    const grew = s.grew.length === 0 ? 'none grew past the bound' : `${s.grew.length} GREW: pids ${s.grew.map((g) => g.pid).join(', ')}`;
    lines.push(`${s.target} server: ${s.lifetimes} lifetime(s), ${s.judged} judged, ${grew}; rss ${fig(s.rss, bytes)}; fds ${fig(s.fds, count)}`);
  }
  lines.push('');
  if (r.failures.length > 0) {
    lines.push(`FAILED (${r.failures.length} failure(s); the first ones):`);
    for (const f of r.failures.slice(0, 10)) lines.push(`  ${f.kind}: ${f.message.split('\n').join('\n    ')}`);
    lines.push(`replay: ${replay}`);
  } else {
    lines.push('PASSED');
  }
  return lines.join('\n');
}
