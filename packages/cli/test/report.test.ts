import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { decoderRowNorms, maxCosineSimilarity, summarize } from '../src/report/analysis.js';
import { ContextCollector } from '../src/report/contexts.js';
import { renderReport } from '../src/report/html.js';
import { binValues } from '../src/report/svg-charts.js';

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
    const [f] = c.features([1], 1, (id) => `t${id}`);
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
    expect(doc.querySelectorAll('script')).toHaveLength(0);
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
});
