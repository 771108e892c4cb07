import { mergeConfig } from 'vitest/config';
import { saekitVitestConfig } from '../../vitest.shared';

// The end-to-end tests run the built binary; global setup builds it once per run.
export default mergeConfig(saekitVitestConfig(), {
  test: { globalSetup: ['./test/global-setup.ts'] },
});
