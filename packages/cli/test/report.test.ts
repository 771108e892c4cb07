import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { parseLatentSelection } from '../src/commands/inspect.js';
import { UsageError } from '../src/errors.js';
import { decoderRowNorms, maxCosineSimilarity, summarize } from '../src/report/analysis.js';
import { ContextCollector } from '../src/report/contexts.js';
import { reportHeader } from '../src/report/header.js';
import { renderReport } from '../src/report/html.js';
import { binValues, logTicks } from '../src/report/svg-charts.js';

describe('decoder summaries', () => {
  // Rows: e0, 2·e0 (a duplicate direction), e1, −e1 (anti-parallel).
  const wDec = Float32Array.from([1, 0, 2, 0, 0, 1, 0, -1]);

  it('computes row norms', () => {
    expect(Array.from(decoderRowNorms(wDec, 4, 2))).toEqual([1, 2, 1, 1]);
  });

  it('finds each latent’s most similar other latent by cosine', () => {
    const cos = maxCosineSimilarity(wDec, 4, 2, [0, 1, 2, 3]);
    expect(Array.from(cos)).toEqual([1, 1, 0, 0]);
  });

  it('summarizes', () => {
    expect(summarize([3, 1, 2, 10])).toEqual({ min: 1, mean: 4, median: 2.5, max: 10 });
  });
});

describe('binValues', () => {
  it('counts every value once, clamping the ends', () => {
    const bins = binValues([0, 0.1, 0.5, 0.99, 1, 5, -3], 2, 0, 1);
    expect(bins.map((b) => b.count)).toEqual([3, 4]);
  });
});

describe('ContextCollector', () => {
  it('keeps the highest activations per latent and the window inside one sequence', () => {
    const c = new ContextCollector(3, 2);
    // 6 rows, k = 1; latent 1 fires at rows 1 (0.5), 2 (0.9), 4 (0.7); latent 0 at row 0.
    c.add(
      {
        source: 's0',
        firstRow: 0,
        rows: 6,
        tokenIds: Int32Array.from([10, 11, 12, 13, 14, 15]),
        sequenceIds: Int32Array.from([0, 0, 0, 1, 1, 1]),
      },
      {
        k: 1,
        values: Float32Array.from([0.3, 0.5, 0.9, 0, 0.7, 0]),
        indices: Int32Array.from([0, 1, 1, -1, 1, 2]),
      },
    );
    expect(Array.from(c.counts)).toEqual([1, 3, 0]);
    expect(c.topLatents(5)).toEqual([1, 0]);
    const [f] = c.features([1], 1, (ids) => ids.map((id) => `t${id}`));
    expect(f.firingRate).toBeCloseTo(0.5);
    expect(f.examples.map((e) => e.activation)).toEqual([
      expect.closeTo(0.9, 6),
      expect.closeTo(0.7, 6),
    ]);
    // Row 2 is the last of sequence 0: its window is rows 1..2, focus on row 2.
    expect(f.examples[0].tokens.map((t) => t.text)).toEqual(['t11', 't12']);
    expect(f.examples[0].focus).toBe(1);
    expect(f.examples[0].tokens[0].activation).toBeCloseTo(0.5);
    // Row 4 sits in sequence 1 (rows 3..5).
    expect(f.examples[1].tokens.map((t) => t.text)).toEqual(['t13', 't14', 't15']);
    expect(f.examples[1].where).toBe('s0 row 4');
    // The histogram holds every activation of the latent, not only the top ones.
    expect(Array.from(f.activations ?? [])).toEqual([
      expect.closeTo(0.5, 6),
      expect.closeTo(0.9, 6),
      expect.closeTo(0.7, 6),
    ]);
  });

  // Latent i fires on i rows (latent 0 never): frequencies 1..7 for latents 1..7.
  function ladder(): ContextCollector {
    const c = new ContextCollector(8, 2);
    const indices: number[] = [];
    for (let l = 1; l < 8; l++) for (let r = 0; r < l; r++) indices.push(l);
    c.add(
      { source: 's', firstRow: 0, rows: indices.length },
      { k: 1, values: new Float32Array(indices.length).fill(1), indices: Int32Array.from(indices) },
    );
    return c;
  }

  it('selects latents by id, by density, by rarity and at random (seeded, among those that fired)', () => {
    const c = ladder();
    expect(c.select({ kind: 'ids', ids: [0, 5] })).toEqual([0, 5]);
    expect(c.select({ kind: 'frequent', count: 3 })).toEqual([7, 6, 5]);
    expect(c.select({ kind: 'rare', count: 3 })).toEqual([1, 2, 3]);
    const r = c.select({ kind: 'random', count: 3, seed: 4 });
    expect(r).toHaveLength(3);
    expect(new Set(r).size).toBe(3);
    expect(r.every((l) => l >= 1 && l < 8)).toBe(true);
    expect(c.select({ kind: 'random', count: 3, seed: 4 })).toEqual(r);
    const seeds = [1, 2, 3, 5, 6].map((seed) =>
      c.select({ kind: 'random', count: 3, seed }).join(),
    );
    expect(new Set([r.join(), ...seeds]).size).toBeGreaterThan(1);
  });

  it('keeps row numbers and no text when the data has no token ids', () => {
    const c = ladder();
    expect(c.hasTokens).toBe(false);
    const [f] = c.features([2], 1);
    expect(f.examples[0].tokens.every((t) => t.text === undefined)).toBe(true);
    expect(f.examples[0].tokens.map((t) => t.row)).toEqual([0, 1, 2]);
  });
});

describe('parseLatentSelection (--latents)', () => {
  it('reads ids and the named selections, and refuses ids out of range naming the flag', () => {
    expect(parseLatentSelection('12, 40,12', 5, 64)).toEqual({ kind: 'ids', ids: [12, 40] });
    expect(parseLatentSelection(undefined, 5, 64)).toEqual({ kind: 'frequent', count: 5 });
    expect(parseLatentSelection('dense', 5, 64)).toEqual({ kind: 'frequent', count: 5 });
    expect(parseLatentSelection('random', 5, 64, 9)).toEqual({ kind: 'random', count: 5, seed: 9 });
    expect(() => parseLatentSelection('12,64', 5, 64)).toThrow(UsageError);
    expect(() => parseLatentSelection('12,64', 5, 64)).toThrow(
      /--latents: '64' is not a latent id in \[0, 64\)/,
    );
    expect(() => parseLatentSelection('often', 5, 64)).toThrow(/--latents/);
  });
});

describe('renderReport', () => {
  const metrics = Array.from({ length: 20 }, (_, i) => ({
    step: (i + 1) * 10,
    tokens: (i + 1) * 10240,
    fvu: 1 / (i + 2),
    mse: 0.1,
    l0: 8,
    dead_frac: 0.5 / (i + 1),
    auxk: 0.2,
    lr: 1e-3,
    tokens_per_s: 5000 + i,
    elapsed_s: i,
  }));
  const html = renderReport({
    title: 'test <report>',
    sae: { path: 'runs/x', format: 'saelens', architecture: 'topk', dIn: 4, dSae: 8, k: 2 },
    metrics,
    firingLog10: Float32Array.from([-1, -2, -3, Number.NEGATIVE_INFINITY, -1.5, -2.5, -0.5, -10]),
    decoderNorms: new Float32Array(8).fill(1),
    maxCosine: { latents: [0, 1], values: Float32Array.from([0.2, 0.97]) },
    features: [
      {
        latent: 3,
        firingRate: 0.01,
        examples: [
          {
            activation: 2,
            where: 'a row 1',
            focus: 1,
            tokens: [
              { text: 'a<b', activation: 0 },
              { text: 'cat', activation: 2 },
              { text: '\n\nThe', activation: 0 },
            ],
          },
        ],
        activations: Float32Array.from([0.5, 1, 2, 2]),
      },
      {
        latent: 5,
        firingRate: 0.02,
        examples: [
          {
            activation: 1.5,
            where: 'b row 812',
            focus: 1,
            tokens: [
              { row: 811, activation: 0 },
              { row: 812, activation: 1.5 },
              { row: 813, activation: 0.25 },
            ],
          },
        ],
      },
    ],
    notes: ['a note'],
  });
  const doc = parse(html);

  it('is a complete HTML document with escaped text', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(doc.querySelector('title')?.text).toBe('test <report>');
    // One inline script (the latent lookup), nothing loaded from anywhere.
    expect(doc.querySelectorAll('script')).toHaveLength(1);
    expect(doc.querySelectorAll('script[src], link[href], img[src]')).toHaveLength(0);
  });

  it('draws the training curves, the firing histogram and the decoder histograms as SVG', () => {
    const titles = doc.querySelectorAll('svg.chart title').map((t) => t.text);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Fraction of variance unexplained',
        'L0 (active latents per token)',
        'Dead latents',
        'Throughput',
        'AuxK loss',
        'Firing frequency (log10, live latents)',
        'Decoder row norms',
        'Max cosine similarity to another latent',
      ]),
    );
    const fvuPath = doc.querySelector('#training svg path.series')?.getAttribute('d') ?? '';
    expect(fvuPath.startsWith('M')).toBe(true);
    expect(fvuPath.split('L')).toHaveLength(20);
    // 6 live latents in the firing histogram; two below the −10 floor counted as never fired.
    const bars = doc.querySelectorAll('#firing rect.bar');
    expect(bars.length).toBe(40);
    expect(doc.querySelector('#firing p')?.text).toContain('2 never fired');
    expect(doc.querySelector('#decoder')?.text).toContain(
      '1 of 2 sampled latents have a near-duplicate',
    );
  });

  it('highlights the activating token in each context', () => {
    const feature = doc.querySelector('.feature[data-latent="3"]');
    expect(feature).not.toBeNull();
    const mark = feature?.querySelector('mark.focus');
    expect(mark?.text).toBe('cat');
    expect(feature?.querySelector('.ctx')?.text).toContain('a<b');
  });

  it('shows newlines as ↵ and keeps each context on one row', () => {
    const ctx = doc.querySelector('.feature[data-latent="3"] .ctx');
    expect(ctx?.text).toContain('↵↵The');
    expect(ctx?.text).not.toContain('\n');
    expect(html).toMatch(/\.ctx\{[^}]*white-space:pre;/);
  });

  it('draws each latent’s activation histogram beside its contexts', () => {
    const svg = doc.querySelector('.feature[data-latent="3"] .feature-body svg.chart');
    expect(svg?.querySelector('title')?.text).toBe('Latent 3: activations');
    const counts = svg
      ?.querySelectorAll('rect.bar')
      .map((r) => Number(/: (\d+)$/.exec(r.querySelector('title')?.text ?? '')?.[1]));
    expect(counts?.reduce((a, b) => a + (b ?? 0), 0)).toBe(4);
  });

  it('shows a context without tokens as its row number and compact activation values', () => {
    const ctx = doc.querySelector('.feature[data-latent="5"] .ctx');
    expect(ctx?.querySelector('.row')?.text).toBe('row 812');
    expect(ctx?.text).not.toContain('[row');
    expect(ctx?.querySelector('mark.focus')?.text.trim()).toBe('1.50');
    expect(ctx?.querySelector('.zero')?.text).toBe('·');
  });
});

describe('report header and axes', () => {
  it('lists the training config from cfg.json, the evaluation and the recovery', () => {
    const groups = reportHeader({
      path: 'runs/x',
      format: 'saelens',
      architecture: 'topk',
      dIn: 64,
      dSae: 512,
      k: 8,
      cfg: {
        saekit: {
          train_config: { lr: 0.004, batchSize: 1024, steps: 500 },
          trained_tokens: 512000,
        },
        metadata: {
          model_name: 'gpt2',
          hook_name: 'blocks.6.hook_resid_post',
          dataset_path: 'acts/',
        },
      },
      heldOut: {
        source: 'held/',
        tokens: 16384,
        fvu: 0.1234,
        mse: 0.01,
        l0: 8,
        deadFraction: 0.5,
        denseFraction: 0,
      },
      recovery: {
        source: 'held/true-dictionary.npz',
        mmcs: 0.97,
        recovered: 250,
        trueFeatures: 256,
      },
    });
    const field = (f: string) => groups.flatMap((g) => g.rows).find((r) => r.field === f)?.value;
    expect(field('lr')).toBe('0.004');
    expect(field('batch')).toBe('1024');
    expect(field('tokens')).toBe('512k');
    expect(field('model')).toBe('gpt2');
    expect(field('hook')).toBe('blocks.6.hook_resid_post');
    expect(field('data')).toBe('acts/');
    expect(field('backend')).toBe('not recorded in the checkpoint');
    expect(field('fvu')).toBe('0.1234');
    expect(field('recovered')).toBe('250 of 256 (97.7%)');
  });

  it('labels a log axis inside one decade with 1-2-5 steps, and many decades sparsely', () => {
    expect(logTicks(0.1, 1)).toEqual([0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.2, 0.9)).toEqual([0.2, 0.5]);
    expect(logTicks(1e-4, 1)).toEqual([1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(logTicks(1e-12, 1).length).toBeLessThanOrEqual(7);
  });

  it('gives unit-norm decoder rows a readable axis, not float noise', () => {
    const norms = Float32Array.from({ length: 64 }, (_, i) => 1 + (i % 3) * 1e-7);
    const html = renderReport({
      title: 't',
      sae: { path: 'x', format: 'saelens', architecture: 'topk', dIn: 4, dSae: 64 },
      decoderNorms: norms,
      maxCosine: { latents: [0], values: Float32Array.from([0.1]) },
    });
    const svg = parse(html)
      .querySelectorAll('svg.chart')
      .find((c) => c.querySelector('title')?.text === 'Decoder row norms');
    const labels = svg?.querySelectorAll('text.tick').map((t) => t.text) ?? [];
    const xLabels = labels.filter((l) => /^0\.9|^1/.test(l));
    expect(xLabels.length).toBeGreaterThanOrEqual(3);
    for (const l of xLabels) expect(l.length).toBeLessThanOrEqual(4);
  });
});
