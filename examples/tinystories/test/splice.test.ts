import { beforeAll, describe, expect, it } from 'vitest';
import { type FeatureContext, formatContext, mostActivatingContexts } from '../src/contexts.js';
import { generate } from '../src/model/generate.js';
import type { Transformer } from '../src/model/transformer.js';
import { evaluateSplice } from '../src/splice.js';
import { decoderDirection, steeringHook } from '../src/steer.js';
import { skipWithoutModels, stories } from './models.js';

describe.skipIf(skipWithoutModels)('spliced evaluation and steering mechanics', () => {
  let model: Transformer;
  let texts: number[][];
  beforeAll(() => {
    const { model: m, tokenizer } = stories();
    model = m;
    texts = [
      'Once upon a time, there was a dog named Max. Max liked to run in the park.',
      'Sue had a red hat. She gave it to her friend Tom, and Tom was happy.',
    ].map((t) => tokenizer.encode(t, { bos: true }));
  });
  const layer = 2;

  it('an exact reconstruction recovers all the loss; zeros recover none', async () => {
    const identity = await evaluateSplice(model, texts, {
      layer,
      reconstruct: async (rows) => Float32Array.from(rows),
    });
    expect(identity.tokens).toBe(texts[0].length + texts[1].length - 4);
    expect(identity.ceSpliced).toBe(identity.ceClean);
    expect(identity.klSpliced).toBe(0);
    expect(identity.fvu).toBe(0);
    expect(identity.lossRecovered).toBe(1);
    // Zero-ablating a middle layer wrecks the prediction.
    expect(identity.ceZero).toBeGreaterThan(identity.ceClean + 1);
    expect(identity.klZero).toBeGreaterThan(1);

    const zero = await evaluateSplice(model, texts, {
      layer,
      reconstruct: async (rows) => new Float32Array(rows.length),
      meanResidual: new Float32Array(model.config.dim),
    });
    expect(zero.ceSpliced).toBe(zero.ceZero);
    expect(zero.ceMean).toBe(zero.ceZero);
    expect(zero.lossRecovered).toBe(0);
    expect(zero.klSpliced).toBeCloseTo(zero.klZero, 12);
    expect(zero.fvu).toBeGreaterThan(1);
    expect(zero.ceClean).toBe(identity.ceClean);
  });

  it('a half-scaled residual lands in between', async () => {
    const half = await evaluateSplice(model, texts, {
      layer,
      reconstruct: async (rows) => rows.map((v) => v * 0.5),
    });
    expect(half.ceSpliced).toBeGreaterThan(half.ceClean);
    expect(half.ceSpliced).toBeLessThan(half.ceZero);
    expect(half.klSpliced).toBeGreaterThan(0);
  });

  it('steering by zero changes nothing; a large push changes the story', () => {
    const direction = decoderDirection(model.weights.tokenEmbedding, model.config.dim, 300);
    const plain = generate(model, { maxTokens: 40 });
    const none = generate(model, { maxTokens: 40, layer, hook: steeringHook(direction, 0) });
    expect(none).toEqual(plain);
    const pushed = generate(model, { maxTokens: 40, layer, hook: steeringHook(direction, 20) });
    expect(pushed).not.toEqual(plain);
    expect(pushed[0]).toBe(plain[0]);
  });
});

describe('most-activating contexts', () => {
  // Two sequences of token ids 10.. and 20..; latent 1 fires hardest at row 5.
  const rows = {
    tokenIds: Int32Array.from([10, 11, 12, 13, 20, 21, 22, 23]),
    sequenceIds: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]),
  };
  const k = 2;
  const indices = Int32Array.from([0, 1, 0, -1, 0, -1, 0, -1, 1, -1, 1, 0, 2, -1, 0, -1]);
  const values = Float32Array.from([1, 0.5, 2, 0, 3, 0, 0.1, 0, 0.7, 0, 4, 1.5, 0, 0, 2.5, 0]);
  const piece = (prev: number, token: number) => `${prev < 0 ? '' : ' '}t${token}`;

  it('ranks features by firing count and keeps the strongest contexts per feature', () => {
    const summary = mostActivatingContexts({ values, indices, k }, rows, piece, {
      dSae: 3,
      perFeature: 2,
      before: 2,
      after: 1,
    });
    // Latent 2's only value is 0: it never fired, so it is left out.
    expect(summary.map((s) => s.feature)).toEqual([0, 1]);
    expect(summary[0].count).toBe(6);
    expect(summary[0].contexts.map((c) => [c.row, c.activation])).toEqual([
      [2, 3],
      [7, 2.5],
    ]);
    const top: FeatureContext = summary[1].contexts[0];
    expect(top).toMatchObject({ row: 5, sequence: 1, activation: 4 });
    // The window stops at the start of sequence 1 (row 4), never reaching into sequence 0.
    expect([top.before, top.token, top.after]).toEqual(['t20', ' t21', ' t22']);
    expect(formatContext(top)).toBe('  4.00  t20[ t21] t22');
  });

  it('summarizes requested features and rejects mismatched shapes', () => {
    const [only] = mostActivatingContexts({ values, indices, k }, rows, piece, {
      dSae: 3,
      features: [2],
    });
    expect(only).toMatchObject({ feature: 2, count: 0, maxActivation: 0, contexts: [] });
    expect(() =>
      mostActivatingContexts({ values, indices, k: 4 }, rows, piece, { dSae: 3 }),
    ).toThrow(/rows/);
  });
});
