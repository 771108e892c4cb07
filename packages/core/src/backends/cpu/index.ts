import { type BackendFactory, BackendRegistry } from '../../backend/registry.js';
import { CpuBackend } from './backend.js';

export { CpuBackend } from './backend.js';
export { CpuTensor } from './tensor.js';

export function createCpuBackend(): CpuBackend {
  return new CpuBackend();
}

/** The reference backend's factory: lowest priority, and it always works. */
export const cpuBackend: BackendFactory = {
  name: 'cpu',
  priority: 0,
  create: async () => createCpuBackend(),
};

/** A registry holding `cpu`; register other backends' factories on it. */
export function createDefaultRegistry(): BackendRegistry {
  return new BackendRegistry().register(cpuBackend);
}
