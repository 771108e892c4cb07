import type { MetricsRecord } from '@saekit/core';
import { summarize } from './analysis.js';
import { type HeaderGroup, reportHeader } from './header.js';
import { binValues, escapeXml, histogramChart, lineChart } from './svg-charts.js';

export interface ContextToken {
  /** The token's text; absent when the data has no token ids (the row number stands in). */
  readonly text?: string;
  /** Row of the token in its shard. */
  readonly row?: number;
  /** This latent's activation on the token (0 when it did not fire). */
  readonly activation: number;
}

export interface ContextExample {
  readonly activation: number;
  /** Where the row came from, e.g. "shard-00000.safetensors row 812". */
  readonly where: string;
  readonly tokens: readonly ContextToken[];
  /** Index in `tokens` of the row that produced `activation`. */
  readonly focus: number;
}

export interface FeatureReport {
  readonly latent: number;
  /** Fraction of examined tokens on which the latent fired. */
  readonly firingRate: number;
  /** Every positive activation of the latent on the examined tokens (its histogram). */
  readonly activations?: Float32Array;
  readonly examples: readonly ContextExample[];
}

export interface ReportInput {
  readonly title: string;
  readonly sae: {
    readonly path: string;
    readonly format: string;
    readonly architecture: string;
    readonly dIn: number;
    readonly dSae: number;
    readonly k?: number;
  };
  /** The header tables; default: what `sae` alone says. */
  readonly header?: readonly HeaderGroup[];
  readonly metrics?: readonly MetricsRecord[];
  /** Per latent log10 firing frequency; dead latents may be -Infinity or very small. */
  readonly firingLog10?: Float32Array;
  readonly firingSource?: string;
  readonly decoderNorms: Float32Array;
  readonly maxCosine: { readonly latents: readonly number[]; readonly values: Float32Array };
  readonly features?: readonly FeatureReport[];
  /** What the shown latents are, e.g. "The 16 most frequent latents". */
  readonly featuresHeading?: string;
  readonly notes?: readonly string[];
}

export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1180px;color:#111;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{background:#fff;border:1px solid #e5e7eb;border-radius:4px;font-size:11px}
.chart-title{font-weight:600;font-size:13px}.axis{stroke:#444}.grid{stroke:#eee}.tick{fill:#444}.label{fill:#222}
.bar{fill:#2563eb}.legend{font-weight:600}
.feature{margin:18px 0;padding:8px 12px;border:1px solid #e5e7eb;border-radius:4px}
.feature-body{display:flex;gap:16px;align-items:flex-start}.feature-body .contexts{flex:1;min-width:0}
.ctx{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;white-space:pre;overflow-x:auto;margin:2px 0}
.ctx .act{color:#666;display:inline-block;min-width:64px}.ctx .nl{color:#9ca3af}.ctx .row{color:#6b7280;min-width:110px;display:inline-block}
.ctx .zero{color:#d1d5db}
mark{border-radius:2px;padding:0 1px}mark.focus{outline:1.5px solid #b91c1c}
.note{color:#555}
nav.toc{position:sticky;top:0;background:#fff;border-bottom:1px solid #e5e7eb;padding:6px 0;z-index:1;display:flex;flex-wrap:wrap;gap:14px;align-items:center}
nav.toc a{color:#1d4ed8;text-decoration:none}
.header-groups{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.header-groups h2{margin-top:8px}
.latent-index a{margin-right:8px}.feature .nav{float:right;font-size:12px}.feature:target{outline:2px solid #2563eb}
#lookup-result{color:#b91c1c}
`;

/**
 * The one script of the report: jump to a latent by id (the only thing plain links cannot
 * do). Inline, no network; every other part of the report works without it.
 */
const LOOKUP_SCRIPT = `
document.getElementById('lookup').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = document.getElementById('lookup-id').value.trim();
  const out = document.getElementById('lookup-result');
  const el = document.getElementById('latent-' + id);
  if (el) { out.textContent = ''; location.hash = 'latent-' + id; }
  else out.textContent = 'latent ' + id + ' is not in this report';
});`;

function num(v: number | undefined, digits = 4): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(3)
    : v.toFixed(digits);
}

function trainingSection(metrics: readonly MetricsRecord[]): string {
  const pts = (key: string) =>
    metrics.flatMap((r) => {
      const v = r[key];
      return typeof v === 'number' ? [[r.step, v] as const] : [];
    });
  const charts = [
    lineChart({
      title: 'Fraction of variance unexplained',
      xLabel: 'step',
      yLabel: 'FVU',
      series: [{ name: 'fvu', points: pts('fvu') }],
      logY: true,
    }),
    lineChart({
      title: 'L0 (active latents per token)',
      xLabel: 'step',
      yLabel: 'L0',
      series: [{ name: 'l0', points: pts('l0') }],
      zeroBased: true,
    }),
    lineChart({
      title: 'Dead latents',
      xLabel: 'step',
      yLabel: 'fraction dead',
      series: [{ name: 'dead_frac', points: pts('dead_frac') }],
      zeroBased: true,
    }),
    lineChart({
      title: 'Learning rate',
      xLabel: 'step',
      yLabel: 'lr',
      series: [{ name: 'lr', points: pts('lr') }],
      zeroBased: true,
    }),
    lineChart({
      title: 'Throughput',
      xLabel: 'step',
      yLabel: 'tokens / s',
      series: [{ name: 'tokens_per_s', points: pts('tokens_per_s') }],
      zeroBased: true,
    }),
  ];
  if (metrics.some((r) => typeof r.auxk === 'number' && r.auxk > 0)) {
    charts.push(
      lineChart({
        title: 'AuxK loss',
        xLabel: 'step',
        yLabel: 'AuxK',
        series: [{ name: 'auxk', points: pts('auxk') }],
        logY: true,
      }),
    );
  }
  const last = metrics[metrics.length - 1];
  return (
    `<section id="training"><h2>Training</h2><p>${metrics.length} logged steps; last: step ${last.step}, ` +
    `${last.tokens} tokens, FVU ${num(last.fvu)}, L0 ${num(last.l0, 2)}, dead ${num(last.dead_frac * 100, 2)}%.</p>` +
    `<div class="charts">${charts.join('')}</div></section>`
  );
}

function firingSection(log10: Float32Array, source: string | undefined): string {
  const floor = -10;
  let dead = 0;
  const vals = Array.from(log10, (v) => {
    if (!Number.isFinite(v) || v <= floor) {
      dead++;
      return floor;
    }
    return v;
  });
  const live = vals.filter((v) => v > floor);
  // The axis spans the live latents' decades, down to the rarest one.
  let lo = Number.POSITIVE_INFINITY;
  for (const v of live) lo = Math.min(lo, v);
  lo = live.length > 0 ? Math.min(-1, Math.floor(lo)) : floor + 2;
  const bins = binValues(live, 40, lo, 0);
  const chart = histogramChart({
    title: 'Firing frequency (log10, live latents)',
    xLabel: 'log10 firing frequency',
    bins,
  });
  return (
    `<section id="firing"><h2>Firing frequency</h2><p>${log10.length} latents; ${dead} never fired` +
    `${source ? ` (${escapeXml(source)})` : ''}.</p><div class="charts">${chart}</div></section>`
  );
}

/**
 * Bins for the row-norm histogram over at least ±0.05 around the median: unit-norm decoders
 * (every norm 1 up to float rounding) then get ticks like 0.96, 0.98, 1, not float noise.
 */
function normBins(norms: Float32Array, s: ReturnType<typeof summarize>) {
  const half = Math.max(0.05, (s.max - s.min) / 2);
  const lo = Math.min(s.min, s.median - half);
  const hi = Math.max(s.max, s.median + half);
  return binValues(norms, 30, lo, hi);
}

function decoderSection(norms: Float32Array, cos: ReportInput['maxCosine']): string {
  const ns = summarize(norms);
  const cs = summarize(cos.values);
  const row = (name: string, s: ReturnType<typeof summarize>) =>
    `<tr><td>${name}</td><td>${num(s.min)}</td><td>${num(s.median)}</td><td>${num(s.mean)}</td><td>${num(s.max)}</td></tr>`;
  const nearDup = Array.from(cos.values).filter((v) => v > 0.95).length;
  const charts = [
    histogramChart({
      title: 'Decoder row norms',
      xLabel: '‖W_dec[i]‖',
      bins: normBins(norms, ns),
    }),
    histogramChart({
      title: 'Max cosine similarity to another latent',
      xLabel: 'max cos(W_dec[i], W_dec[j])',
      bins: binValues(cos.values, 30, -0.2, 1),
    }),
  ];
  return (
    `<section id="decoder"><h2>Decoder</h2><table><tr><th></th><th>min</th><th>median</th><th>mean</th><th>max</th></tr>` +
    `${row('row norm', ns)}${row(`max cosine (${cos.latents.length} latents)`, cs)}</table>` +
    `<p>${nearDup} of ${cos.latents.length} sampled latents have a near-duplicate (cosine &gt; 0.95).</p>` +
    `<div class="charts">${charts.join('')}</div></section>`
  );
}

/**
 * A token's text on one line: a newline shows as ↵ and a tab as →, so every context keeps
 * to one row and a reader still sees where the line breaks were.
 */
export function visibleText(text: string): string {
  return escapeXml(text.replace(/\r\n?/g, '\n'))
    .replace(/\n/g, '<span class="nl">↵</span>')
    .replace(/\t/g, '<span class="nl">→</span>');
}

function tokenSpan(t: ContextToken, max: number, focus: boolean): string {
  // Without token ids, a row shows this latent's activation on it (· for none).
  const text =
    t.text === undefined
      ? t.activation > 0
        ? ` ${num(t.activation, 2)}`
        : ' <span class="zero">·</span>'
      : visibleText(t.text);
  if (t.activation <= 0) return text;
  const alpha = Math.min(1, Math.max(0.12, t.activation / (max || 1)));
  const title = `${t.row === undefined ? '' : `row ${t.row}: `}${num(t.activation)}`;
  return `<mark${focus ? ' class="focus"' : ''} style="background:rgba(234,88,12,${alpha.toFixed(2)})" title="${title}">${text}</mark>`;
}

function contextLine(e: ContextExample, max: number): string {
  const tokens = e.tokens.map((t, i) => tokenSpan(t, max, i === e.focus)).join('');
  const textless = e.tokens.every((t) => t.text === undefined);
  const row = textless ? `<span class="row">row ${e.tokens[e.focus]?.row ?? '?'}</span>` : '';
  return `<div class="ctx" title="${escapeXml(e.where)}"><span class="act">${num(e.activation, 3)}</span>${row}${tokens}</div>`;
}

function activationHistogram(f: FeatureReport): string {
  if (!f.activations || f.activations.length === 0) return '';
  let hi = 0;
  for (const v of f.activations) hi = Math.max(hi, v);
  return histogramChart({
    title: `Latent ${f.latent}: activations`,
    xLabel: 'activation',
    yLabel: 'tokens',
    bins: binValues(f.activations, 24, 0, hi > 0 ? hi : 1),
    size: 'small',
  });
}

function featuresSection(features: readonly FeatureReport[], heading: string): string {
  const blocks = features.map((f, i) => {
    const prev = features[i - 1];
    const next = features[i + 1];
    const nav =
      `<span class="nav">${prev ? `<a href="#latent-${prev.latent}" rel="prev">← latent ${prev.latent}</a>` : ''}` +
      `${prev && next ? ' · ' : ''}${next ? `<a href="#latent-${next.latent}" rel="next">latent ${next.latent} →</a>` : ''}</span>`;
    const max = Math.max(0, ...f.examples.map((e) => e.activation));
    const lines = f.examples.map((e) => contextLine(e, max));
    const what =
      f.examples.length > 0
        ? `fires on ${num(f.firingRate * 100, 3)}% of examined tokens; top ${f.examples.length} contexts:`
        : 'never fired on the examined tokens.';
    return (
      `<div class="feature" id="latent-${f.latent}" data-latent="${f.latent}">${nav}<h3>Latent ${f.latent}</h3>` +
      `<p class="note">${what}</p><div class="feature-body"><div class="contexts">${lines.join('')}</div>` +
      `${activationHistogram(f)}</div></div>`
    );
  });
  const index = features.map((f) => `<a href="#latent-${f.latent}">${f.latent}</a>`).join('');
  return (
    `<section id="features"><h2>${escapeXml(heading)}</h2>` +
    `<p class="latent-index">Latents: ${index}</p>` +
    `<form id="lookup"><label>Latent id <input id="lookup-id" inputmode="numeric" size="8"></label> ` +
    `<button type="submit">Go</button> <span id="lookup-result"></span></form>` +
    `${blocks.join('')}</section>`
  );
}

/** The whole report: one HTML file with inline CSS and inline SVG, no script, no network. */
function headerSection(groups: readonly HeaderGroup[]): string {
  const tables = groups.map(
    (g) =>
      `<div class="header-group" id="${g.id}"><h2>${escapeXml(g.title)}</h2><table>` +
      g.rows
        .map(
          (row) =>
            `<tr data-field="${row.field}"><td>${escapeXml(row.label)}</td><td>${escapeXml(row.value)}</td></tr>`,
        )
        .join('') +
      `</table>${g.note ? `<p class="note">${escapeXml(g.note)}</p>` : ''}</div>`,
  );
  return `<section id="header" class="header-groups">${tables.join('')}</section>`;
}

/**
 * The whole report: one HTML file with inline CSS and inline SVG, no network. The only
 * script is the latent lookup box.
 */
export function renderReport(r: ReportInput): string {
  const s = r.sae;
  const header = r.header ?? reportHeader({ ...s, cfg: {} });
  const sections: [string, string][] = [['header', 'Run']];
  const body: string[] = [headerSection(header)];
  if (r.metrics && r.metrics.length > 0) {
    sections.push(['training', 'Training']);
    body.push(trainingSection(r.metrics));
  }
  if (r.firingLog10) {
    sections.push(['firing', 'Firing frequency']);
    body.push(firingSection(r.firingLog10, r.firingSource));
  }
  sections.push(['decoder', 'Decoder']);
  body.push(decoderSection(r.decoderNorms, r.maxCosine));
  const features = r.features ?? [];
  if (features.length > 0) {
    sections.push(['features', 'Latents']);
    body.push(featuresSection(features, r.featuresHeading ?? 'Latents: most-activating contexts'));
  }
  if (r.notes && r.notes.length > 0) {
    sections.push(['notes', 'Notes']);
    body.push(
      `<section id="notes"><h2>Notes</h2><ul>${r.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul></section>`,
    );
  }
  const nav = `<nav class="toc">${sections.map(([id, name]) => `<a href="#${id}">${name}</a>`).join('')}</nav>`;
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeXml(r.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeXml(r.title)}</h1>`,
    nav,
    ...body,
    `<footer class="note"><p>Generated by saekit inspect.</p></footer>`,
    features.length > 0 ? `<script>${LOOKUP_SCRIPT}</script>` : '',
    '</body></html>\n',
  ].join('\n');
}
