import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';

/**
 * Static SVG charts built with d3-scale (axes, ticks) and d3-shape (paths), rendered to
 * strings at report time: the report works offline, needs no script, and any HTML parser
 * can check it.
 */

/** A chart's size: full report charts, or small ones beside a latent's contexts. */
interface Dims {
  readonly width: number;
  readonly height: number;
}
const SIZES = { full: { width: 560, height: 260 }, small: { width: 300, height: 170 } } as const;
export type ChartSize = keyof typeof SIZES;
const MARGIN = { top: 28, right: 16, bottom: 40, left: 64 };
/** Tick labels are 11px: an upper bound of a character's width, and of a line's height. */
const CHAR_WIDTH = 7;
const LINE_HEIGHT = 13;
const LABEL_GAP = 6;

/**
 * Ticks for a log axis: the powers of ten in the domain when there are at least three;
 * within about a decade, the 1-2-5 (or every integer multiple) steps, so an FVU curve
 * between 0.2 and 0.9 gets 0.2, 0.5 rather than a single label or none.
 */
export function logTicks(lo: number, hi: number): number[] {
  const inside = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const from = Math.floor(Math.log10(lo));
  const to = Math.ceil(Math.log10(hi));
  const steps = (mantissas: readonly number[]) => {
    const out: number[] = [];
    for (let e = from; e <= to; e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (inside(v)) out.push(v);
      }
    }
    return out;
  };
  for (const mantissas of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks = steps(mantissas);
    // Two powers of ten alone (a nice()d single decade) leave the curve unlabelled.
    if (ticks.length >= (mantissas.length === 1 ? 3 : 2)) {
      // Many decades: every other (or third...) power, at most 6.
      const every = Math.ceil(ticks.length / 6);
      return ticks.filter((_, i) => i % every === 0);
    }
  }
  return [lo, hi];
}
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logY?: boolean;
  /** Start the y axis at 0 (counts, fractions, rates). */
  readonly zeroBased?: boolean;
}

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a < 1e-3) return v.toExponential(0);
  return `${+v.toPrecision(3)}`;
}

function frame(title: string, kind: string, body: string, dims: Dims = SIZES.full): string {
  const { width: WIDTH, height: HEIGHT } = dims;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(kind)}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" ` +
    `aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>` +
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" class="chart-title">${escapeXml(title)}</text>` +
    `${body}</svg>`
  );
}

/**
 * Tick labels with the precision the tick spacing needs (d3's tickFormat), abbreviated
 * (12k, 3.4M) for large values.
 */
function tickFormatter(
  scale: { tickFormat(count?: number): (v: number) => string },
  count: number,
) {
  const precise = scale.tickFormat(count);
  return (v: number) => (Math.abs(v) >= 1e4 ? fmt(v) : precise(v));
}

function axes(
  xTicks: readonly number[],
  x: (v: number) => number,
  yTicks: readonly number[],
  y: (v: number) => number,
  xLabel: string,
  yLabel: string,
  xFormat: (v: number) => string,
  yFormat: (v: number) => string,
  dims: Dims = SIZES.full,
): string {
  const { width: WIDTH, height: HEIGHT } = dims;
  const bottom = HEIGHT - MARGIN.bottom;
  const parts: string[] = [];
  parts.push(
    `<line x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}" class="axis"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" class="axis"/>`,
  );
  // Labels that would touch their neighbour are dropped (the tick mark stays).
  let right = Number.NEGATIVE_INFINITY;
  for (const t of xTicks) {
    const px = x(t);
    const label = xFormat(t);
    const half = (label.length * CHAR_WIDTH) / 2;
    parts.push(
      `<line x1="${px.toFixed(1)}" y1="${bottom}" x2="${px.toFixed(1)}" y2="${bottom + 4}" class="axis"/>`,
    );
    if (px - half < right + LABEL_GAP) continue;
    right = px + half;
    parts.push(
      `<text x="${px.toFixed(1)}" y="${bottom + 16}" text-anchor="middle" class="tick">${escapeXml(label)}</text>`,
    );
  }
  let above = Number.POSITIVE_INFINITY;
  for (const t of [...yTicks].sort((a, b) => y(b) - y(a))) {
    const py = y(t);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${py.toFixed(1)}" x2="${WIDTH - MARGIN.right}" y2="${py.toFixed(1)}" class="grid"/>`,
    );
    if (py > above - LINE_HEIGHT) continue;
    above = py;
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${py.toFixed(1)}" text-anchor="end" dominant-baseline="middle" class="tick">${escapeXml(yFormat(t))}</text>`,
    );
  }
  parts.push(
    `<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 6}" text-anchor="middle" class="label">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle" class="label">${escapeXml(yLabel)}</text>`,
  );
  return parts.join('');
}

function extent(values: Iterable<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  if (lo === hi)
    return [lo - (lo === 0 ? 1 : Math.abs(lo) * 0.1), hi + (hi === 0 ? 1 : Math.abs(hi) * 0.1)];
  return [lo, hi];
}

/** Scales, ticks and axes of an x–y chart over `pts` (full size). */
function xyPlot(
  pts: readonly (readonly [number, number])[],
  o: Pick<LineChartOptions, 'xLabel' | 'yLabel' | 'logY' | 'zeroBased'>,
  /** Room left and right of the extreme x values, as a fraction of their span (points at the edge). */
  xPad = 0,
) {
  const { width: WIDTH, height: HEIGHT } = SIZES.full;
  const [x0, x1] = extent(pts.map((p) => p[0]));
  const xs = [x0 - xPad * (x1 - x0), x1 + xPad * (x1 - x0)];
  let ys = extent(pts.map((p) => p[1]));
  if (o.zeroBased && !o.logY) {
    const hi = Math.max(0, ...pts.map((p) => p[1]));
    ys = [0, hi > 0 ? hi : 1];
  }
  const x = scaleLinear()
    .domain(xs)
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const range: [number, number] = [HEIGHT - MARGIN.bottom, MARGIN.top];
  const y = o.logY
    ? scaleLog()
        .domain(ys[0] > 0 ? ys : [1e-3, 1])
        .range(range)
        .nice()
    : scaleLinear().domain(ys).range(range).nice();
  const [d0, d1] = y.domain();
  const yTicks = o.logY ? logTicks(Math.min(d0, d1), Math.max(d0, d1)) : y.ticks(5);
  const frameSvg = axes(
    x.ticks(6),
    x,
    yTicks,
    y,
    o.xLabel,
    o.yLabel,
    tickFormatter(x, 6),
    o.logY ? fmt : tickFormatter(y, 5),
  );
  return { x, y, axes: frameSvg };
}

const plottable = (logY: boolean | undefined) => (p: readonly [number, number]) =>
  Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logY || p[1] > 0);

/** Lines over a shared x axis; `logY` for losses spanning decades (non-positive y dropped). */
export function lineChart(o: LineChartOptions): string {
  const { width: WIDTH } = SIZES.full;
  const pts = o.series.map((s) => s.points.filter(plottable(o.logY)));
  const { x, y, axes: axesSvg } = xyPlot(pts.flat(), o);
  const path = line<readonly [number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  const body: string[] = [axesSvg];
  pts.forEach((p, i) => {
    const color = COLORS[i % COLORS.length];
    if (p.length === 1) {
      body.push(`<circle cx="${x(p[0][0])}" cy="${y(p[0][1])}" r="3" fill="${color}"/>`);
    } else if (p.length > 1) {
      body.push(
        `<path d="${path(p) ?? ''}" fill="none" stroke="${color}" stroke-width="1.5" class="series"/>`,
      );
    }
    if (o.series.length > 1) {
      body.push(
        `<text x="${WIDTH - MARGIN.right - 4}" y="${MARGIN.top + 12 + i * 14}" text-anchor="end" fill="${color}" class="legend">${escapeXml(o.series[i].name)}</text>`,
      );
    }
  });
  return frame(o.title, 'line', body.join(''));
}

export interface ScatterPoint {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

/**
 * Named points (each a circle with data-name, data-x, data-y and a label), and a dashed line
 * through the `line` points in x order (a Pareto frontier).
 */
export function scatterChart(o: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly points: readonly ScatterPoint[];
  readonly line?: readonly ScatterPoint[];
  readonly logY?: boolean;
}): string {
  const shown = o.points.filter((p) => plottable(o.logY)([p.x, p.y]));
  const {
    x,
    y,
    axes: axesSvg,
  } = xyPlot(
    shown.map((p) => [p.x, p.y] as const),
    o,
    0.08,
  );
  const body: string[] = [axesSvg];
  const through = [...(o.line ?? [])].filter((p) => shown.includes(p)).sort((a, b) => a.x - b.x);
  if (through.length > 1) {
    const path = line<ScatterPoint>()
      .x((p) => x(p.x))
      .y((p) => y(p.y));
    body.push(
      `<path d="${path(through) ?? ''}" fill="none" stroke="#9ca3af" stroke-dasharray="4 3" class="frontier"/>`,
    );
  }
  const { width: WIDTH } = SIZES.full;
  shown.forEach((p, i) => {
    const [px, py] = [x(p.x).toFixed(1), y(p.y).toFixed(1)];
    const color = COLORS[i % COLORS.length];
    // Labels of points in the right half go to their left, so they stay inside the chart.
    const left = x(p.x) > WIDTH / 2;
    body.push(
      `<circle cx="${px}" cy="${py}" r="4" fill="${color}" class="point" data-name="${escapeXml(p.name)}" data-x="${p.x}" data-y="${p.y}">` +
        `<title>${escapeXml(`${p.name}: ${o.xLabel} ${fmt(p.x)}, ${o.yLabel} ${fmt(p.y)}`)}</title></circle>` +
        `<text x="${(x(p.x) + (left ? -6 : 6)).toFixed(1)}" y="${(y(p.y) - 6).toFixed(1)}"${left ? ' text-anchor="end"' : ''} fill="${color}" class="legend">${escapeXml(p.name)}</text>`,
    );
  });
  return frame(o.title, 'scatter', body.join(''));
}

export interface HistogramBin {
  readonly x0: number;
  readonly x1: number;
  readonly count: number;
}

/** Equal-width bins of `values` over [lo, hi] (values outside are clamped into the ends). */
export function binValues(
  values: Iterable<number>,
  bins: number,
  lo?: number,
  hi?: number,
): HistogramBin[] {
  const arr = [...values].filter(Number.isFinite);
  const [a, b] = lo !== undefined && hi !== undefined ? [lo, hi] : extent(arr);
  const width = (b - a) / bins;
  const out = Array.from({ length: bins }, (_, i) => ({
    x0: a + i * width,
    x1: a + (i + 1) * width,
    count: 0,
  }));
  for (const v of arr) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - a) / width)));
    out[i].count++;
  }
  return out;
}

export function histogramChart(o: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel?: string;
  readonly bins: readonly HistogramBin[];
  readonly xFormat?: (v: number) => string;
  readonly size?: ChartSize;
}): string {
  const dims = SIZES[o.size ?? 'full'];
  const { width: WIDTH, height: HEIGHT } = dims;
  const lo = o.bins.length > 0 ? o.bins[0].x0 : 0;
  const hi = o.bins.length > 0 ? o.bins[o.bins.length - 1].x1 : 1;
  const x = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const maxCount = Math.max(1, ...o.bins.map((b) => b.count));
  const y = scaleLinear()
    .domain([0, maxCount])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top])
    .nice();
  const body: string[] = [
    axes(
      x.ticks(6),
      x,
      y.ticks(5),
      y,
      o.xLabel,
      o.yLabel ?? 'latents',
      o.xFormat ?? tickFormatter(x, 6),
      tickFormatter(y, 5),
      dims,
    ),
  ];
  for (const b of o.bins) {
    const x0 = x(b.x0);
    const w = Math.max(0.5, x(b.x1) - x0 - 1);
    const top = y(b.count);
    body.push(
      `<rect x="${x0.toFixed(1)}" y="${top.toFixed(1)}" width="${w.toFixed(1)}" height="${(HEIGHT - MARGIN.bottom - top).toFixed(1)}" class="bar"><title>${escapeXml(`[${fmt(b.x0)}, ${fmt(b.x1)}): ${b.count}`)}</title></rect>`,
    );
  }
  return frame(o.title, 'histogram', body.join(''), dims);
}
