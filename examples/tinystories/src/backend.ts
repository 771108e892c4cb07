import { onnxruntimeBackend } from '@saekit/backend-onnxruntime';
import { type Backend, BackendRegistry, cpuBackend } from '@saekit/core';

export type BackendChoice = 'auto' | 'onnxruntime' | 'cpu';

/**
 * `auto`: the native CPU backend (ORT + CBLAS/MLAS, SIMD on every core) wherever its binary
 * loads, else core's plain-TypeScript `cpu`; or one of them by name.
 */
export async function chooseBackend(choice: BackendChoice = 'auto'): Promise<Backend> {
  const registry = new BackendRegistry().register(onnxruntimeBackend).register(cpuBackend);
  const { backend } = await registry.resolve(choice === 'auto' ? 'auto' : [choice]);
  return backend;
}
