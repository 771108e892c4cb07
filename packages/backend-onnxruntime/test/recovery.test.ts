// core's synthetic-recovery scenario (the one every backend runs) on onnxruntime.
import { expectRecovered, runRecoveryScenario } from '@saekit/core/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createOnnxruntimeBackend, type OnnxruntimeBackend } from '../src/index.js';

describe('training on onnxruntime', () => {
  let backend: OnnxruntimeBackend;
  beforeAll(() => {
    backend = createOnnxruntimeBackend();
  });
  afterAll(() => backend.destroy());

  it('a Top-K SAE (m = 256, k = 4) recovers ≥ 90% of 256 true features in d = 32', async () => {
    expectRecovered(await runRecoveryScenario(backend));
  }, 600_000);
});
