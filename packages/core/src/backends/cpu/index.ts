import type { Backend } from '../../backend/define-backend.js';
import { type BackendFactory, BackendRegistry } from '../../backend/registry.js';
import { createCpuBackend } from './backend.js';

export { createCpuBackend, createCpuBackendImpl } from './backend.js';
export { CpuTensor } from './tensor.js';

/** The reference backend's factory: lowest priority, and it always works. */
export const cpuBackend: BackendFactory = {
  name: 'cpu',
  priority: 0,
  probe: async () => ({ ok: true, kind: 'cpu-native', device: 'plain TypeScript, one thread' }),
  create: async (): Promise<Backend> => createCpuBackend(),
};

/** A registry holding `cpu`; register other backends' factories on it. */
export function createDefaultRegistry(): BackendRegistry {
  return new BackendRegistry().register(cpuBackend);
}
