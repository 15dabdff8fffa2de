import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CaseResult } from './run-case.js';

const BASELINE = 'node:promises';

interface Group {
  title: string;
  rows: CaseResult[];
  baseline: number;
}

function groups(results: CaseResult[]): Group[] {
  const map = new Map<string, CaseResult[]>();
  for (const r of results) {
    const key = `${r.spec.cache} cache, ${r.spec.pattern}, ${formatSize(r.spec.size)} reads, ${r.spec.inFlight} in flight`;
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  return [...map].map(([title, rows]) => ({ title, rows, baseline: rows.find((r) => r.spec.contender === BASELINE)?.readsPerSecond ?? 0 }));
}

function formatSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
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

const HEADER = ['contender', 'reads/s', 'MiB/s', 'spread', `vs ${BASELINE}`, 'check'];

/** One table per case on the terminal. */
export function printTable(results: CaseResult[]): void {
  for (const group of groups(results)) {
    console.log(`\n${group.title}`);
    const rows = [HEADER, ...group.rows.map((r) => cells(r, group.baseline))];
    const widths = HEADER.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    for (const row of rows) console.log('  ' + row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  }
}

export function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / (1 << 30)),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
  };
}

/** bench/results/latest.{json,md} plus a dated copy of the JSON; returns the paths written. */
export function writeReports(results: CaseResult[], out: string, conditions: Record<string, unknown>): string[] {
  mkdirSync(out, { recursive: true });
  const when = new Date().toISOString();
  const data = { when, machine: machine(), conditions, results };
  const json = JSON.stringify(data, null, 2);
  const stamp = when.replace(/[:.]/g, '-');
  const md = [
    `# mfio bench results`,
    '',
    `${when}. Machine: ${Object.entries(machine()).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `Conditions: ${Object.entries(conditions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `Ratios are against \`${BASELINE}\` (FileHandle.read) with the same reads in flight, in the same run.`,
    '',
    ...groups(results).flatMap((g) => [
      `## ${g.title}`,
      '',
      `| ${HEADER.join(' | ')} |`,
      `|${HEADER.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
      ...g.rows.map((r) => `| ${cells(r, g.baseline).join(' | ')} |`),
      '',
    ]),
  ].join('\n');
  const paths = [join(out, 'latest.json'), join(out, `${stamp}.json`), join(out, 'latest.md')];
  writeFileSync(paths[0]!, json);
  writeFileSync(paths[1]!, json);
  writeFileSync(paths[2]!, md);
  return paths;
}
