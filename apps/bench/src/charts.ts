import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, scheme, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatSize } from './format.js';
import type { CaseResult } from './measure.js';

/**
 * One chart: every contender's throughput by read size for one cache mode and pattern, or (the
 * latency mode) by one-way delay for one read size.
 */
export interface Chart {
  /** File name inside the output folder, e.g. `hot-random.svg`, `latency-64KiB.svg`. */
  file: string;
  /** What it shows, for titles, headings and alt text. */
  title: string;
  /** `reads/s by read size` or `reads/s by delay`. */
  axes: string;
  /** Which results it draws. */
  has(result: CaseResult): boolean;
  /** The x field: read size in bytes, or delay in milliseconds. */
  x: 'size' | 'delayMs';
}

/** The latency mode's one-way delay of a result; 0 for local and direct cases. */
export function delayOf(result: CaseResult): number {
  return (result.spec as { delayMs?: number }).delayMs ?? 0;
}

/** The chart files a set of results gives, in run order. */
export function chartsOf(results: CaseResult[]): Chart[] {
  const charts = new Map<string, Chart>();
  for (const result of results) {
    const { cache, pattern, size } = result.spec;
    const chart: Chart =
      delayOf(result) > 0
        ? {
            file: `latency-${formatSize(size).replace(' ', '')}.svg`,
            title: `${formatSize(size)} ${pattern} reads over added latency`,
            axes: 'reads/s by one-way delay',
            has: (r) => delayOf(r) > 0 && r.spec.size === size,
            x: 'delayMs',
          }
        : {
            file: `${cache}-${pattern}.svg`,
            title: `${cache} cache, ${pattern} reads`,
            axes: 'reads/s by read size',
            has: (r) => delayOf(r) === 0 && r.spec.cache === cache && r.spec.pattern === pattern,
            x: 'size',
          };
    if (!charts.has(chart.file)) charts.set(chart.file, chart);
  }
  return [...charts.values()];
}

/** Node's, mfio's, the C++ baseline's, netfs's or HTTP's: lines of one family share a dash pattern. */
function family(contender: string): string {
  return contender.split(':')[0] ?? contender;
}

/**
 * 40 colours in pairs of a dark and a light shade of one hue: tableau20's ten, then
 * category20b's five hues of four shades as ten more (each hue once, then each again).
 */
const PALETTE = ((): string[] => {
  const shades = scheme('category20b') as string[];
  const pairs: string[] = [];
  for (const k of [0, 1]) for (let hue = 0; hue < 20; hue += 4) pairs.push(shades[hue + k]!, shades[hue + k + 2]!);
  return [...(scheme('tableau20') as string[]), ...pairs];
})();

/**
 * A colour per contender, in order: a tuned contender whose `:plain` twin is also drawn takes
 * the dark shade of a pair and the twin (next in report order) the light one, so the gap
 * between what a tuned loop and users' code get reads as one hue.
 */
export function contenderColors(contenders: string[]): string[] {
  let next = 0;
  return contenders.map((c) => {
    if (contenders.includes(`${c}:plain`)) next += next % 2;
    return PALETTE[next++ % PALETTE.length]!;
  });
}

const SIZE_LABEL = "datum.value >= 1048576 ? datum.value / 1048576 + ' MiB' : datum.value >= 1024 ? datum.value / 1024 + ' KiB' : datum.value + ' B'";

/**
 * The Vega-Lite spec of one chart: reads/s (log) against read size (log 2) or delay (log), a
 * line per contender. Failed or unverified cases are left out: a wrong answer has no speed.
 */
export function chartSpec(chart: Chart, results: CaseResult[], subtitle: string): TopLevelSpec {
  const rows = results.filter((r) => chart.has(r));
  const values = rows
    .filter((r) => r.verified && !r.error && r.readsPerSecond > 0)
    .map((r) => ({ contender: r.spec.contender, family: family(r.spec.contender), size: r.spec.size, delayMs: delayOf(r), readsPerSecond: r.readsPerSecond }));
  const contenders = [...new Set(rows.map((r) => r.spec.contender))];
  const drawn = contenders.filter((c) => values.some((v) => v.contender === c));
  const ticks = [...new Set(rows.map((r) => (chart.x === 'size' ? r.spec.size : delayOf(r))))].sort((a, b) => a - b);
  const domain = ticks.length > 1 ? [ticks[0]!, ticks[ticks.length - 1]!] : [ticks[0] ?? 1, (ticks[0] ?? 1) * 2];
  const inFlight = rows[0]?.spec.inFlight ?? 0;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${chart.title}: ${chart.axes} (${chart.x === 'delayMs' ? 'netfs ' : ''}${inFlight} in flight)`,
      subtitle: [
        subtitle,
        "dashed: Node's fs; solid: mfio; dotted: the C++ io_uring baseline (no JS); long dashes: netfs; dash-dot: HTTP;",
        'a :plain line (a new buffer per read or batch) takes the light shade of its tuned twin',
      ],
      anchor: 'start',
    },
    width: 560,
    height: 340,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x:
        chart.x === 'size'
          ? {
              field: 'size',
              type: 'quantitative',
              title: 'read size',
              scale: { type: 'log', base: 2, padding: 16, domain },
              axis: { values: ticks, labelExpr: SIZE_LABEL },
            }
          : {
              field: 'delayMs',
              type: 'quantitative',
              title: 'added one-way delay (ms, log scale)',
              scale: { type: 'log', padding: 16, domain },
              axis: { values: ticks },
            },
      y: { field: 'readsPerSecond', type: 'quantitative', title: 'reads/s (log scale)', scale: { type: 'log' }, axis: { format: '~s' } },
      color: { field: 'contender', type: 'nominal', scale: { domain: drawn, range: contenderColors(drawn) }, legend: { labelLimit: 400, title: 'contender' } },
      strokeDash: {
        field: 'family',
        type: 'nominal',
        scale: {
          domain: ['node', 'mfio', 'c++', 'netfs', 'http'],
          range: [
            [5, 3],
            [1, 0],
            [1, 3],
            [10, 4],
            [8, 3, 1, 3],
          ],
        },
        legend: null,
      },
    },
  };
}

/** Render a Vega-Lite spec to SVG with Vega's headless renderer (no canvas or browser needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Write every chart of `results` into `out`; returns the paths written. */
export async function writeCharts(results: CaseResult[], out: string, subtitle: string): Promise<string[]> {
  const paths: string[] = [];
  for (const chart of chartsOf(results)) {
    const path = join(out, chart.file);
    await writeFile(path, await renderSvg(chartSpec(chart, results, subtitle)));
    paths.push(path);
  }
  return paths;
}
