import { saekitVitestConfig } from '../../vitest.shared';

// `pnpm mutation` runs the covering tests once per mutant: the format and dataset tests, not
// the checkpoint conversions, hub and README runs that only pass through these modules.
export default saekitVitestConfig({
  include: [
    'test/safetensors.test.ts',
    'test/npy.test.ts',
    'test/npy-header.test.ts',
    'test/npz-members.test.ts',
    'test/fuzz.test.ts',
    'test/dataset.test.ts',
    'test/resume.test.ts',
    'test/transcoder-dataset.test.ts',
  ],
});
