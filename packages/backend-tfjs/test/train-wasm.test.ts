// core's synthetic-recovery scenario (the one every backend runs) on tfjs wasm.
import { expectRecovered, runRecoveryScenario } from '@saekit/core/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTfjsBackend, type TfjsBackend } from '../src/index.js';

describe('training on tfjs wasm', () => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ prefer: ['wasm'] });
  });
  afterAll(() => backend.destroy());

  it('a Top-K SAE (m = 256, k = 4) recovers ≥ 90% of 256 true features in d = 32', async () => {
    expectRecovered(await runRecoveryScenario(backend));
  }, 600_000);
});
