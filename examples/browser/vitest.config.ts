import { saekitVitestConfig } from '../../vitest.shared';

export default saekitVitestConfig({ testTimeout: 300_000 });
