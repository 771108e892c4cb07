import type { MetricsRecord } from '../metrics-log.js';
import { summarize } from './analysis.js';
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

const STYLE = `
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
`;

function num(v: number | undefined, digits = 4): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(3)
    : v.toFixed(digits);
}

function trainingSection(metrics: readonly MetricsRecord[]): string {
  const pts = (key: string) =>
    metrics.filter((r) => typeof r[key] === 'number').map((r) => [r.step, r[key]] as const);
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
      bins: binValues(norms, 30),
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
  const blocks = features.map((f) => {
    const max = Math.max(0, ...f.examples.map((e) => e.activation));
    const lines = f.examples.map((e) => contextLine(e, max));
    const what =
      f.examples.length > 0
        ? `fires on ${num(f.firingRate * 100, 3)}% of examined tokens; top ${f.examples.length} contexts:`
        : 'never fired on the examined tokens.';
    return (
      `<div class="feature" id="latent-${f.latent}" data-latent="${f.latent}"><h3>Latent ${f.latent}</h3>` +
      `<p class="note">${what}</p><div class="feature-body"><div class="contexts">${lines.join('')}</div>` +
      `${activationHistogram(f)}</div></div>`
    );
  });
  return `<section id="features"><h2>${escapeXml(heading)}</h2>${blocks.join('')}</section>`;
}

/** The whole report: one HTML file with inline CSS and inline SVG, no script, no network. */
export function renderReport(r: ReportInput): string {
  const s = r.sae;
  const parts = [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeXml(r.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeXml(r.title)}</h1>`,
    `<section id="summary"><table>` +
      `<tr><td>SAE</td><td>${escapeXml(s.path)} (${escapeXml(s.format)})</td></tr>` +
      `<tr><td>architecture</td><td>${escapeXml(s.architecture)}</td></tr>` +
      `<tr><td>d_in × d_sae</td><td>${s.dIn} × ${s.dSae}</td></tr>` +
      (s.k === undefined ? '' : `<tr><td>k</td><td>${s.k}</td></tr>`) +
      `</table></section>`,
  ];
  if (r.metrics && r.metrics.length > 0) parts.push(trainingSection(r.metrics));
  if (r.firingLog10) parts.push(firingSection(r.firingLog10, r.firingSource));
  parts.push(decoderSection(r.decoderNorms, r.maxCosine));
  if (r.features && r.features.length > 0) {
    parts.push(
      featuresSection(r.features, r.featuresHeading ?? 'Latents: most-activating contexts'),
    );
  }
  if (r.notes && r.notes.length > 0) {
    parts.push(
      `<section id="notes"><h2>Notes</h2><ul>${r.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul></section>`,
    );
  }
  parts.push(`<footer class="note"><p>Generated by saekit inspect.</p></footer></body></html>\n`);
  return parts.join('\n');
}
