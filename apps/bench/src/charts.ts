import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, View } from 'vega';
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

/** The panels of a chart: one group of contenders each, on one shared y axis. */
type PanelId = 'node' | 'mfio:readAt' | 'mfio:readMany' | 'remote';

/**
 * Each panel's title says what its colours mean, and what its dashes mean when a dashed line is
 * drawn; the legend beside it names the lines.
 */
const PANELS: Array<{ id: PanelId; title: string; dashed: string }> = [
  { id: 'node', title: "Node's fs: colour = API", dashed: ', dashed = UV_USE_IO_URING=1' },
  { id: 'mfio:readAt', title: 'mfio readAt: colour = backend', dashed: ', dashed = :plain (a new Buffer per read)' },
  { id: 'mfio:readMany', title: 'mfio readMany, batches of N: colour = backend', dashed: ', dashed = :plain (no into)' },
  { id: 'remote', title: 'over the network: greens = netfs, warm colours and greys = the peers', dashed: '; dashed = :plain' },
];

/** How one contender is drawn: its panel, colour (one family per group), dash and marker. */
interface Style {
  /** Undefined for the C++ ceiling: no panel of its own, a reference line in every panel. */
  panel?: PanelId;
  colour: string;
  dash: number[];
  shape: string;
}

const SOLID: number[] = [];
const DASHED = [6, 3];

/**
 * Colour families by group, so a line's group reads at a glance: Node's fs in browns and
 * oranges, mfio in blues and violet (by backend), netfs in greens, the peers in reds, pinks
 * and greys, the C++ ceiling black. Within a panel every line differs in colour or dash, and
 * the marker repeats the colour's meaning for readers who cannot tell the hues apart.
 */
export function styleOf(contender: string): Style {
  const [group, second = '', third = ''] = contender.split(':');
  const dashIf = (variant: boolean): number[] => (variant ? DASHED : SOLID);
  if (contender === 'c++:io_uring') return { colour: '#000000', dash: [2, 2], shape: 'cross' };
  if (group === 'node') {
    const api = second.replace('+UV_USE_IO_URING', '');
    const colour = { readSync: '#7f2704', read: '#e6550d', promises: '#c79a00' }[api] ?? '#fd8d3c';
    const shape = { readSync: 'diamond', read: 'circle', promises: 'square' }[api] ?? 'circle';
    return { panel: 'node', colour, dash: dashIf(second.includes('+UV_USE_IO_URING')), shape };
  }
  if (group === 'mfio') {
    const colour = { io_uring: '#08519c', threadpool: '#1f9bbf', libuv: '#6a51a3', iocp: '#4292c6' }[second] ?? '#4292c6';
    const shape = { io_uring: 'circle', threadpool: 'square', libuv: 'triangle-up', iocp: 'diamond' }[second] ?? 'circle';
    return { panel: third === 'readMany' ? 'mfio:readMany' : 'mfio:readAt', colour, dash: dashIf(contender.endsWith(':plain')), shape };
  }
  if (group === 'netfs') {
    const many = third === 'readMany';
    return { panel: 'remote', colour: many ? '#74c476' : '#006d2c', dash: dashIf(contender.endsWith(':plain')), shape: many ? 'square' : 'circle' };
  }
  const peers: Record<string, [string, string]> = {
    smb: ['#d62728', 'triangle-up'],
    nfs: ['#e377c2', 'triangle-down'],
    sshfs: ['#8c564b', 'diamond'],
    'http:range': ['#bcbd22', 'triangle-left'],
    'http:range:6': ['#9467bd', 'triangle-right'],
    'http:range:N': ['#7f7f7f', 'square'],
  };
  const [colour, shape] = peers[contender] ?? ['#999999', 'circle'];
  return { panel: 'remote', colour, dash: SOLID, shape };
}

/** The reference lines every panel repeats, so panels compare without looking across. */
const CEILING = 'c++:io_uring (ceiling)';
const BASELINE_REF = 'node:promises (baseline)';

const SIZE_LABEL = "datum.value >= 1048576 ? datum.value / 1048576 + ' MiB' : datum.value >= 1024 ? datum.value / 1024 + ' KiB' : datum.value + ' B'";

interface Row {
  label: string;
  x: number;
  readsPerSecond: number;
}

/**
 * The Vega-Lite spec of one chart: reads/s (log) against read size (log 2) or delay (log), as
 * panels of at most eight lines side by side (Node's fs, mfio readAt, mfio readMany, netfs and
 * the peers), each with a legend of its own lines, on one y scale. Every panel repeats the C++
 * ceiling (black, dotted) and Node's `node:promises` (grey) when they ran; a latency chart has
 * one panel and the bound of N reads in flight per round trip instead. Failed or unverified
 * cases are left out: a wrong answer has no speed.
 */
export function chartSpec(chart: Chart, results: CaseResult[], subtitle: string): TopLevelSpec {
  const rows = results.filter((r) => chart.has(r));
  const drawn = rows.filter((r) => r.verified && !r.error && r.readsPerSecond > 0);
  const xOf = (r: CaseResult): number => (chart.x === 'size' ? r.spec.size : delayOf(r));
  const ticks = [...new Set(rows.map(xOf))].sort((a, b) => a - b);
  const domain = ticks.length > 1 ? [ticks[0]!, ticks[ticks.length - 1]!] : [ticks[0] ?? 1, (ticks[0] ?? 1) * 2];
  const inFlight = rows[0]?.spec.inFlight ?? 0;
  const row =
    (label: string) =>
    (r: CaseResult): Row => ({ label, x: xOf(r), readsPerSecond: r.readsPerSecond });
  const ceiling = drawn.filter((r) => r.spec.contender === 'c++:io_uring').map(row(CEILING));
  const baseline = drawn.filter((r) => r.spec.contender === 'node:promises').map(row(BASELINE_REF));
  // The latency mode's bound: N reads in flight per round trip of twice the one-way delay.
  const bound =
    chart.x === 'delayMs'
      ? ticks.map((delay) => ({ label: `bound: ${inFlight} in flight per round trip`, x: delay, readsPerSecond: (inFlight * 1000) / (2 * delay) }))
      : [];
  const all = [...drawn.map((r) => r.readsPerSecond), ...bound.map((b) => b.readsPerSecond)];
  const yDomain = [Math.min(...all) / 1.5, Math.max(...all) * 1.5];
  const panels = PANELS.flatMap(({ id, title, dashed }) => {
    const contenders = [...new Set(rows.map((r) => r.spec.contender))].filter((c) => styleOf(c).panel === id);
    const lines = drawn.filter((r) => contenders.includes(r.spec.contender)).map((r) => row(r.spec.contender)(r));
    if (contenders.length === 0) return [];
    const references = [...ceiling, ...(id === 'node' ? [] : baseline), ...bound];
    const anyDashed = contenders.some((c) => styleOf(c).dash.length > 0);
    return [{ title: anyDashed ? `${title}${dashed}` : title, contenders, lines, references }];
  });
  // One panel alone (a latency chart, or a run of one group) gets the room of two.
  const size = panels.length === 1 ? { width: 560, height: 340 } : { width: 300, height: 230 };
  const specs = panels.map((p) => panelSpec(p.title, p.contenders, p.lines, p.references, chart, ticks, domain, yDomain, size));
  // Each panel's colours, dashes and markers are its own (its legend lists only its lines);
  // resolved at every level, since a row of panels would otherwise share them.
  const resolve = { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } };
  const grid = [];
  for (let i = 0; i < specs.length; i += 2) grid.push({ hconcat: specs.slice(i, i + 2), resolve });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${chart.title}: ${chart.axes} (${chart.x === 'delayMs' ? 'netfs and the peers ' : ''}${inFlight} in flight)`,
      subtitle: [
        subtitle,
        chart.x === 'size'
          ? 'One y scale for every panel; each panel repeats the C++ io_uring ceiling (black, dotted) and node:promises (grey).'
          : `Every contender through the same delay proxy; grey: the bound of ${inFlight} reads in flight per round trip (2 x delay).`,
      ],
      anchor: 'start',
    },
    background: 'white',
    vconcat: grid,
    resolve,
  } as TopLevelSpec;
}

/** One panel: its contenders' lines and the reference lines, with a legend of both. */
function panelSpec(
  title: string,
  contenders: string[],
  lines: Row[],
  references: Row[],
  chart: Chart,
  ticks: number[],
  domain: number[],
  yDomain: number[],
  size: { width: number; height: number },
) {
  const referenceLabels = [...new Set(references.map((r) => r.label))];
  const labels = [...contenders, ...referenceLabels];
  const style = (label: string): Style =>
    label === CEILING ? styleOf('c++:io_uring') : referenceLabels.includes(label) ? { colour: '#9e9e9e', dash: [4, 2], shape: 'circle' } : styleOf(label);
  // The legend draws each line's stroke (colour and dash, what tells the lines apart); markers
  // only repeat the colour's meaning (the API, the backend), so they have no legend of their own.
  const legend = { labelLimit: 400, title: null, orient: 'right' as const, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 300 };
  const encoding = {
    x:
      chart.x === 'size'
        ? {
            field: 'x',
            type: 'quantitative' as const,
            title: 'read size',
            scale: { type: 'log' as const, base: 2, padding: 12, domain },
            axis: { values: ticks, labelExpr: SIZE_LABEL },
          }
        : {
            field: 'x',
            type: 'quantitative' as const,
            title: 'added one-way delay (ms, log scale)',
            scale: { type: 'log' as const, padding: 12, domain },
            axis: { values: ticks },
          },
    y: {
      field: 'readsPerSecond',
      type: 'quantitative' as const,
      title: 'reads/s (log scale)',
      scale: { type: 'log' as const, domain: yDomain, nice: true },
      axis: { format: '~s' },
    },
    color: { field: 'label', type: 'nominal' as const, scale: { domain: labels, range: labels.map((l) => style(l).colour) }, legend },
    strokeDash: { field: 'label', type: 'nominal' as const, scale: { domain: labels, range: labels.map((l) => style(l).dash) }, legend },
    // Its own field with no scale: the values are the shapes, and no legend merges with the lines'.
    shape: { field: 'marker', type: 'nominal' as const, scale: null },
  };
  return {
    title: { text: title, fontSize: 12, anchor: 'start' as const },
    ...size,
    layer: [
      // Reference lines first (under the contenders), thin, without markers, not announced as
      // contenders' line marks (aria) so a reader of the SVG counts one line per contender.
      {
        data: { values: references.map((r) => ({ ...r, marker: style(r.label).shape })) },
        mark: { type: 'line' as const, strokeWidth: 1.2, aria: false },
        encoding,
      },
      {
        data: { values: lines.map((r) => ({ ...r, marker: style(r.label).shape })) },
        mark: { type: 'line' as const, point: { size: 36 }, strokeWidth: 1.8 },
        encoding,
      },
    ],
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
