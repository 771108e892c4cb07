import { mergeConfig } from 'vitest/config';
import { saekitVitestConfig } from '../../vitest.shared';

// `pnpm mutation` runs the covering tests once per mutant, so the graph's run uses the tests that
// check the update step numerically (the dense architectures' gradient and trainer tests
// included) and leaves the slow end-to-end scenarios (synthetic recovery, the AuxK revival run,
// benchmarks) and the 128 MiB conformance cases to `pnpm test`.
export default mergeConfig(
  saekitVitestConfig({
    include: [
      'test/conformance-cpu.test.ts',
      'test/conformance-mutants.test.ts',
      'test/cpu-backend.test.ts',
      'test/cpu-validation.test.ts',
      'test/train-dense-gradients.test.ts',
      'test/train-dense-trainer.test.ts',
      'test/train-gradients.test.ts',
      'test/train-graph-update.test.ts',
      'test/train-trainer.test.ts',
      'test/train-transcoder.test.ts',
      'test/training-steps.test.ts',
    ],
  }),
  { test: { env: { SAEKIT_MUTATION: '1' } } },
);
