// tf.Tensor is immutable and GC does not free tfjs memory: every kernel must dispose what it
// makes. Many training-like steps must leave tfjs's tensor count and bytes exactly flat.
import { SyntheticActivations, Trainer } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend, type TfjsBackend } from '../src/index.js';

describe.each(['wasm', 'cpu'] as const)('tfjs %s memory under the trainer', (kind) => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ prefer: [kind] });
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
