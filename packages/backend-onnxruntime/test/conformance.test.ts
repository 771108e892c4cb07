import { describeBackendConformance } from '@saekit/core/testing';
import { describe } from 'vitest';
import { createOnnxruntimeBackend } from '../src/index.js';
import { cblasAvailability } from './support/cblas.js';

// Every kernel against the float64 oracle, the argument errors, training-steps parity with
// cpu, and the > 128 MiB weight cases: once with products on a CBLAS library, once on ORT's
// MLAS (the fallback), both with the pool on every core. Without a CBLAS library the first
// group skips with the reason cblasAvailability printed (under CI=true it throws instead).
describe.skipIf(!cblasAvailability().ok)('products on CBLAS', () => {
  describeBackendConformance(
    'onnxruntime (cblas)',
    async () => createOnnxruntimeBackend({ gemm: 'cblas' }),
    { large: true, timeout: 120_000 },
  );
});
describeBackendConformance(
  'onnxruntime (mlas)',
  async () => createOnnxruntimeBackend({ gemm: 'mlas' }),
  { large: true, timeout: 120_000 },
);
