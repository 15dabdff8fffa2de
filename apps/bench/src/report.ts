import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { chartsOf, delayOf, writeCharts } from './charts.js';
import { formatSize } from './format.js';
import type { CaseResult } from './measure.js';

/** The contender every ratio is taken against: Node's FileHandle.read with the same reads in flight. */
export const BASELINE = 'node:promises';
/** In the latency mode, where no local contender runs: HTTP range requests one at a time. */
export const LATENCY_BASELINE = 'http:range';

/**
 * Why a contender has a `:plain` twin, for the terminal and the Markdown: the tuned numbers are
 * the best case, the plain ones what users' code gets.
 */
export const PLAIN_NOTE = [
  'Tuned contenders (every one without `:plain`) reuse page-aligned destination buffers: the best case.',
  '`:plain` ones are the code users write: `await handle.readAt(position, size)` (a new Buffer per read), `readMany` with no `into` (a new buffer per batch).',
];

/** Whether any result is an mfio or netfs contender, the ones with `:plain` twins. */
function hasPlainTwins(results: CaseResult[]): boolean {
  return results.some((r) => /^(mfio|netfs):/.test(r.spec.contender));
}

interface Group {
  title: string;
  rows: CaseResult[];
  baselineName: string;
  baseline: number;
}

function groups(results: CaseResult[]): Group[] {
  const map = new Map<string, CaseResult[]>();
  for (const r of results) {
    const delay = delayOf(r);
    const where = delay > 0 ? `latency ${delay} ms each way` : `${r.spec.cache} cache`;
    const inFlight = delay > 0 ? `netfs ${r.spec.inFlight} in flight` : `${r.spec.inFlight} in flight`;
    const key = `${where}, ${r.spec.pattern}, ${formatSize(r.spec.size)} reads, ${inFlight}`;
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  return [...map].map(([title, rows]) => {
    const baselineName = delayOf(rows[0]!) > 0 ? LATENCY_BASELINE : BASELINE;
    return { title, rows, baselineName, baseline: rows.find((r) => r.spec.contender === baselineName)?.readsPerSecond ?? 0 };
  });
}

function cells(r: CaseResult, baseline: number): string[] {
  if (r.error) return [r.spec.contender, '-', '-', '-', '-', `error: ${r.error.split('\n')[0]!.slice(0, 60)}`];
  return [
    r.spec.contender,
    Math.round(r.readsPerSecond).toLocaleString('en-US'),
    r.mibPerSecond.toFixed(1),
    r.rme > 0 ? `±${r.rme.toFixed(1)}%` : '',
    baseline > 0 ? `${(r.readsPerSecond / baseline).toFixed(2)}x` : '-',
    r.verified ? 'ok' : 'CHECKSUM MISMATCH',
  ];
}

function header(baselineName: string): string[] {
  return ['contender', 'reads/s', 'MiB/s', 'spread', `vs ${baselineName}`, 'check'];
}

/** One table per case on the terminal. */
export function printTable(results: CaseResult[]): void {
  for (const group of groups(results)) {
    console.log(`\n${group.title}`);
    const head = header(group.baselineName);
    const rows = [head, ...group.rows.map((r) => cells(r, group.baseline))];
    const widths = head.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    for (const row of rows) console.log('  ' + row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  }
  if (hasPlainTwins(results)) console.log(`\n${PLAIN_NOTE.join('\n').replaceAll('`', '')}`);
}

/** The machine a run measured: CPU model, cores, memory, kernel and Node version. */
export function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / (1 << 30)),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
  };
}

function describe(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

function markdown(results: CaseResult[], when: string, conditions: Record<string, unknown>): string {
  const tables = groups(results);
  return [
    `# mfio bench results`,
    '',
    `${when}. Machine: ${describe(machine())}.`,
    `Conditions: ${describe(conditions)}.`,
    `Ratios are against \`${BASELINE}\` (FileHandle.read) with the same reads in flight, in the same run`,
    `(in the latency mode against \`${LATENCY_BASELINE}\`, HTTP range requests one at a time);`,
    `spread is tinybench's relative margin of error over the run's samples; check is the case's`,
    `digest of the bytes read against Node's synchronous reads. Charts leave failed cases out.`,
    ...(hasPlainTwins(results) ? ['', PLAIN_NOTE.join(' ')] : []),
    '',
    ...chartsOf(results).flatMap((chart) => [
      `## ${chart.title}`,
      '',
      `![${chart.title}: ${chart.axes}, log scale](${chart.file})`,
      '',
      ...tables
        .filter((g) => g.rows.every((r) => chart.has(r)))
        .flatMap((g) => [
          `### ${g.title}`,
          '',
          `| ${header(g.baselineName).join(' | ')} |`,
          `|${header(g.baselineName)
            .map((_, i) => (i === 0 ? '---' : '---:'))
            .join('|')}|`,
          ...g.rows.map((r) => `| ${cells(r, g.baseline).join(' | ')} |`),
          '',
        ]),
    ]),
  ].join('\n');
}

/**
 * Writes `latest.json`, `latest.md` and one SVG chart per cache mode × pattern into `out`,
 * plus a dated copy of the JSON under `out/history/` (kept out of git: the committed set is
 * the latest one). Returns the paths written.
 */
export async function writeReports(results: CaseResult[], out: string, conditions: Record<string, unknown>): Promise<string[]> {
  mkdirSync(join(out, 'history'), { recursive: true });
  const when = new Date().toISOString();
  const json = JSON.stringify({ when, machine: machine(), conditions, results }, null, 2);
  const paths = [join(out, 'latest.json'), join(out, 'history', `${when.replace(/[:.]/g, '-')}.json`), join(out, 'latest.md')];
  writeFileSync(paths[0]!, json);
  writeFileSync(paths[1]!, json);
  writeFileSync(paths[2]!, markdown(results, when, conditions));
  const m = machine();
  const charts = await writeCharts(results, out, `${m.cpu}, ${m.cores} cores, ${m.kernel}, Node ${m.node}; ${when.slice(0, 10)}`);
  return [...paths, ...charts];
}
