import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, ModelInputError } from '../src/errors.js';
import { loadLlamaCheckpoint, parseLlamaCheckpoint } from '../src/model/checkpoint.js';
import { generate } from '../src/model/generate.js';
import { BOS, type Tokenizer } from '../src/model/tokenizer.js';
import type { Transformer } from '../src/model/transformer.js';
import { files, skipWithoutModels, stories } from './models.js';

const STORY =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.';

describe.skipIf(skipWithoutModels)('stories260K forward pass and tok512 tokenizer', () => {
  let model: Transformer;
  let tokenizer: Tokenizer;
  beforeAll(() => {
    ({ model, tokenizer } = stories());
  });

  it('reads the documented header', () => {
    expect(model.config).toMatchObject({
      dim: 64,
      hiddenDim: 172,
      nLayers: 5,
      nHeads: 8,
      nKvHeads: 4,
      vocabSize: 512,
      seqLen: 512,
      sharedClassifier: true,
    });
  });

  it('greedy decoding from BOS tells the documented story', () => {
    const tokens = generate(model, { maxTokens: 40 });
    expect(tokens[0]).toBe(BOS);
    const text = tokenizer.decode(tokens);
    expect(text.startsWith(`${STORY} `)).toBe(true);
    // The model's own tokens are the tokenizer's canonical encoding of that text.
    const n = tokenizer.encode(STORY, { bos: true }).length;
    expect(tokenizer.encode(STORY, { bos: true })).toEqual(tokens.slice(0, n));
  });

  it('encode then decode gives the text back, byte fallback included', () => {
    for (const text of [STORY, 'Tom said, "Hi!"\nThe end.', 'Zoë saw 3 🐶 — ünïcödé ✓', 'x']) {
      const tokens = tokenizer.encode(text, { bos: true });
      expect(tokenizer.decode(tokens)).toBe(text);
    }
    // An emoji is not in the 512-token vocabulary: it becomes its four UTF-8 byte tokens.
    const dog = tokenizer.encode('🐶');
    expect(dog.slice(-4).map((t) => tokenizer.piece(t))).toEqual([
      '<0xF0>',
      '<0x9F>',
      '<0x90>',
      '<0xB6>',
    ]);
    expect(tokenizer.encode('')).toEqual([]);
  });

  it('captures the residual and lets a hook replace it', () => {
    const tokens = tokenizer.encode('The cat sat on the mat.', { bos: true });
    const layer = 2;
    const clean = model.session();
    const hooked = model.session();
    const zeroed = model.session();
    const residual = new Float32Array(model.config.dim);
    const zeros = new Float32Array(model.config.dim);
    for (const token of tokens) {
      const a = Float32Array.from(clean.step(token, { layer, capture: residual }));
      expect(residual.some((v) => v !== 0)).toBe(true);
      // Handing back an identical copy changes nothing downstream.
      const b = hooked.step(token, { layer, hook: (x) => Float32Array.from(x) });
      expect(Array.from(b)).toEqual(Array.from(a));
      // Zeroing the last block's output leaves nothing for the classifier: all logits are 0.
      const z = zeroed.step(token, { layer: model.config.nLayers - 1, hook: () => zeros });
      expect(z.every((v) => v === 0)).toBe(true);
    }
  });

  it('rejects bad token ids, layers and positions', () => {
    const s = model.session();
    expect(() => s.step(512)).toThrow(ModelInputError);
    expect(() => s.step(1, { layer: 5 })).toThrow(ModelInputError);
    expect(() => s.step(1, { layer: 0, hook: () => new Float32Array(3) })).toThrow(/3 values/);
  });

  it('names a truncated checkpoint', () => {
    const bytes = readFileSync(files.model).subarray(0, 5000);
    expect(() => parseLlamaCheckpoint(bytes, 'cut.bin')).toThrow(ModelFormatError);
    expect(() => parseLlamaCheckpoint(bytes, 'cut.bin')).toThrow(/cut\.bin: 5000 bytes/);
    expect(loadLlamaCheckpoint(files.model).config.dim).toBe(64);
  });
});
