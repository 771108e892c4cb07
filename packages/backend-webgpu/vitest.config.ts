import { saekitVitestConfig } from '../../vitest.shared';

export default saekitVitestConfig({ testTimeout: 600_000 });
