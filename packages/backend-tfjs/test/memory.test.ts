// tf.Tensor is immutable and GC does not free tfjs memory: every kernel must dispose what it
// makes. Many training-like steps must leave tfjs's tensor count and bytes exactly flat.
import { Rng, SyntheticActivations, Trainer } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend, type TfjsBackend } from '../src/index.js';
import { TopKStep } from './support/topk-step.js';

describe.each(['wasm', 'cpu'] as const)('tfjs %s memory', (kind) => {
  it('keeps tensor count and bytes flat over many training-like steps', async () => {
    const be = await createTfjsBackend({ prefer: [kind] });
    const shape = { batch: 33, dIn: 24, dSae: 96, k: 5 };
    const step = new TopKStep(be, shape);
    const rng = new Rng(7);
    const batch = () => rng.fillNormal(new Float32Array(shape.batch * shape.dIn));
    const before = tf.memory();
    step.step(batch());
    const after1 = tf.memory();
    // Handles are the only tensors alive: nothing hides in tfjs between steps.
    expect(after1.numTensors).toBe(before.numTensors);
    expect(after1.numBytes).toBe(before.numBytes);
    for (let i = 0; i < 60; i++) step.step(batch());
    const fvu = await step.fvu();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numTensors).toBe(be.liveTensors);
    expect(Number.isFinite(fvu)).toBe(true);
    step.dispose();
    expect(tf.memory().numTensors).toBe(0);
    be.destroy();
  });
});

describe('tfjs wasm memory under the trainer', () => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ prefer: ['wasm'] });
  });
  afterAll(() => backend.destroy());

  it.each(['topk', 'batchtopk'] as const)(
    '%s: tfjs tensor count and bytes stay flat over 150 trainer steps with AuxK',
    async (architecture) => {
      const data = new SyntheticActivations({ dIn: 16, nFeatures: 48, batchSize: 40, seed: 2 });
      const trainer = await Trainer.create(
        backend,
        {
          dIn: 16,
          dSae: 64,
          k: 3,
          batchSize: 40,
          steps: 200,
          deadTokens: 80,
          seed: 1,
          architecture,
        },
        { initData: data.batch(256) },
      );
      try {
        let sawAuxk = false;
        const step = async () => {
          const m = await trainer.step(data.batch());
          sawAuxk ||= m.auxk > 0;
        };
        for (let i = 0; i < 10; i++) await step();
        const before = tf.memory();
        for (let i = 0; i < 140; i++) await step();
        const after = tf.memory();
        expect(sawAuxk, 'the run exercised AuxK').toBe(true);
        expect(after.numTensors).toBe(before.numTensors);
        expect(after.numBytes).toBe(before.numBytes);
        // Every tfjs tensor alive is a handle the trainer holds: nothing leaked inside tfjs.
        expect(after.numTensors).toBe(backend.liveTensors);
      } finally {
        trainer.dispose();
      }
      expect(tf.memory().numTensors).toBe(backend.liveTensors);
    },
  );
});
