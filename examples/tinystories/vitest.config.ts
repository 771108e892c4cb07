import { saekitVitestConfig } from '../../vitest.shared';

// The end-to-end test collects activations and trains an SAE on a CPU: give it room.
export default saekitVitestConfig({ testTimeout: 600_000 });
