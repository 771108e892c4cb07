import { Rng } from '@saekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryActivations } from '../src/activations.js';
import { collectActivations, collectStories, residualStream } from '../src/collect.js';
import { BOS, type Tokenizer } from '../src/model/tokenizer.js';
import type { Transformer } from '../src/model/transformer.js';
import { skipWithoutModels, stories } from './models.js';

describe.skipIf(skipWithoutModels)('activation collection', () => {
  let model: Transformer;
  let tokenizer: Tokenizer;
  let dim: number;
  beforeAll(() => {
    ({ model, tokenizer } = stories());
    dim = model.config.dim;
  });

  it('collects sampled stories with token and sequence ids, matching a clean re-run', async () => {
    const sink = new MemoryActivations(dim, 8);
    const layer = 2;
    const options = { layer, count: 3, rng: new Rng(7), maxTokens: 60 };
    const summary = await collectStories(model, sink, options);
    const table = sink.table();
    expect(summary.sequences).toBe(3);
    expect(summary.rows).toBe(summary.tokens.reduce((n, t) => n + t.length - 1, 0));
    expect(table.rows).toBe(summary.rows);
    let row = 0;
    summary.tokens.forEach((tokens, seq) => {
      expect(tokens[0]).toBe(BOS);
      expect(tokens.includes(BOS, 1)).toBe(false);
      const clean = residualStream(model, tokens, layer);
      for (let t = 1; t < tokens.length; t++, row++) {
        expect(table.tokenIds[row]).toBe(tokens[t]);
        expect(table.sequenceIds[row]).toBe(seq);
        expect(table.activations.subarray(row * dim, (row + 1) * dim)).toEqual(
          clean.subarray(t * dim, (t + 1) * dim),
        );
      }
    });
    // The same seed samples the same stories; another seed does not.
    const again = await collectStories(model, new MemoryActivations(dim), {
      ...options,
      rng: new Rng(7),
    });
    expect(again.tokens).toEqual(summary.tokens);
    const other = await collectStories(model, new MemoryActivations(dim), {
      ...options,
      rng: new Rng(8),
    });
    expect(other.tokens).not.toEqual(summary.tokens);
  });

  it('collects supplied text, keeping BOS only when asked', async () => {
    const texts = ['Tom had a red ball.', 'The sun was hot.'].map((t) =>
      tokenizer.encode(t, { bos: true }),
    );
    const without = new MemoryActivations(dim);
    const a = await collectActivations(model, texts, without, { layer: 0 });
    expect(a.rows).toBe(texts[0].length + texts[1].length - 2);
    const withBos = new MemoryActivations(dim);
    const b = await collectActivations(model, texts, withBos, { layer: 0, includeBos: true });
    expect(b.rows).toBe(a.rows + 2);
    expect(Array.from(withBos.table().tokenIds.subarray(0, texts[0].length))).toEqual(texts[0]);
    // Dropping BOS drops exactly its row: the next row is the first row kept without it.
    expect(withBos.table().activations.subarray(dim, 2 * dim)).toEqual(
      without.table().activations.subarray(0, dim),
    );
  });
});
