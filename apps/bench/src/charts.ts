import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { CaseResult } from './run-case.js';

/** One chart: every contender's throughput by read size, for one cache mode and pattern. */
export interface Chart {
  /** File name inside the output folder, e.g. `hot-random.svg`. */
  file: string;
  /** What it shows, for the Markdown's alt text and headings. */
  title: string;
  cache: string;
  pattern: string;
}

/** The chart files a set of results gives: one per cache mode × pattern, in run order. */
export function chartsOf(results: CaseResult[]): Chart[] {
  const charts = new Map<string, Chart>();
  for (const { spec } of results) {
    const file = `${spec.cache}-${spec.pattern}.svg`;
    if (!charts.has(file)) charts.set(file, { file, title: `${spec.cache} cache, ${spec.pattern} reads`, cache: spec.cache, pattern: spec.pattern });
  }
  return [...charts.values()];
}

/** Node's, mfio's or our C++ baseline: lines of one family share a dash pattern. */
function family(contender: string): string {
  return contender.split(':')[0] ?? contender;
}

/**
 * The Vega-Lite spec of one chart: reads/s (log) against read size (log 2), a line per
 * contender. Failed or unverified cases are left out: a wrong answer has no speed.
 */
export function chartSpec(chart: Chart, results: CaseResult[], subtitle: string): TopLevelSpec {
  const rows = results.filter((r) => r.spec.cache === chart.cache && r.spec.pattern === chart.pattern);
  const values = rows
    .filter((r) => r.verified && !r.error && r.readsPerSecond > 0)
    .map((r) => ({ contender: r.spec.contender, family: family(r.spec.contender), size: r.spec.size, readsPerSecond: r.readsPerSecond }));
  const contenders = [...new Set(rows.map((r) => r.spec.contender))];
  const sizes = [...new Set(rows.map((r) => r.spec.size))].sort((a, b) => a - b);
  const inFlight = rows[0]?.spec.inFlight ?? 0;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${chart.title}: reads/s by read size (${inFlight} in flight)`,
      subtitle: [subtitle, "dashed: Node's fs; solid: mfio; dotted: the C++ io_uring baseline (no JS)"],
      anchor: 'start',
    },
    width: 560,
    height: 340,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x: {
        field: 'size',
        type: 'quantitative',
        title: 'read size',
        scale: { type: 'log', base: 2, padding: 16, domain: sizes.length > 1 ? [sizes[0]!, sizes[sizes.length - 1]!] : [sizes[0] ?? 1, (sizes[0] ?? 1) * 2] },
        axis: {
          values: sizes,
          labelExpr: "datum.value >= 1048576 ? datum.value / 1048576 + ' MiB' : datum.value >= 1024 ? datum.value / 1024 + ' KiB' : datum.value + ' B'",
          grid: true,
        },
      },
      y: { field: 'readsPerSecond', type: 'quantitative', title: 'reads/s (log scale)', scale: { type: 'log' }, axis: { format: '~s' } },
      color: { field: 'contender', type: 'nominal', sort: contenders, scale: { scheme: 'tableau20' }, legend: { labelLimit: 400, title: 'contender' } },
      strokeDash: { field: 'family', type: 'nominal', scale: { domain: ['node', 'mfio', 'c++'], range: [[5, 3], [1, 0], [1, 3]] }, legend: null },
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
