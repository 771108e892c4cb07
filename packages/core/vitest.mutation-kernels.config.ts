import { mergeConfig } from 'vitest/config';
import { saekitVitestConfig } from '../../vitest.shared';

// The cpu kernels' mutation run (stryker.kernels.config.mjs): the float64-oracle conformance
// suite (without the 128 MiB cases) and the hand-checked kernel tests. The trainer scenarios
// reach every kernel too but would run for each of several hundred mutants.
export default mergeConfig(
  saekitVitestConfig({
    include: [
      'test/conformance-cpu.test.ts',
      'test/cpu-backend.test.ts',
      'test/cpu-validation.test.ts',
      'test/cpu-kernel-edges.test.ts',
    ],
  }),
  { test: { env: { SAEKIT_MUTATION: 'kernels' } } },
);
