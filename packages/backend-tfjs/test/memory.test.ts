// tf.Tensor is immutable and GC does not free tfjs memory: every kernel must dispose what it
// makes. Many training-like steps must leave tfjs's tensor count and bytes exactly flat.
import { Rng } from '@saekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from '../src/index.js';
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
