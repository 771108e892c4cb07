import { describeBackendConformance } from '@saekit/core/testing';
import { createOnnxruntimeBackend } from '../src/index.js';

// Every kernel against the float64 oracle, the argument errors, training-steps parity with
// cpu, and the > 128 MiB weight cases.
describeBackendConformance('onnxruntime', async () => createOnnxruntimeBackend(), {
  large: true,
  timeout: 120_000,
});
