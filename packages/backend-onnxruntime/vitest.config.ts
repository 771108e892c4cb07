import { saekitVitestConfig } from '../../vitest.shared';

export default saekitVitestConfig();
