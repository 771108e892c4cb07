import { availableParallelism } from 'node:os';
import type { BackendFactory } from '@saekit/core';
import { createOnnxruntimeBackend, deviceName, type OnnxruntimeBackendOptions } from './backend.js';
import { cblasCandidates, cblasLabel, loadCblas } from './gemm/cblas.js';
import { loadOrt } from './ort/binding.js';

export {
  createOnnxruntimeBackend,
  type GemmChoice,
  type OnnxruntimeBackend,
  type OnnxruntimeBackendOptions,
  type OnnxruntimeExtras,
} from './backend.js';
export { OrtTensor } from './tensor.js';

/**
 * For a BackendRegistry: a native CPU backend ranked above tfjs (50) and cpu (0), so `auto`
 * picks it wherever the ORT binary loads, after any GPU.
 */
export const onnxruntimeBackend: BackendFactory<OnnxruntimeBackendOptions> = {
  name: 'onnxruntime',
  priority: 80,
  probe: async () => {
    const ort = loadOrt();
    if (ort instanceof Error) return { ok: false, reason: ort.message };
    return {
      ok: true,
      kind: 'cpu-native',
      device: deviceName(availableParallelism(), ort.version, gemmLabel()),
    };
  },
  create: async (options?: OnnxruntimeBackendOptions) => createOnnxruntimeBackend(options),
};

/** What `auto` would run products on here, without creating a backend. */
function gemmLabel(): string {
  const found = loadCblas(cblasCandidates());
  return 'sgemm' in found ? cblasLabel(found) : 'MLAS';
}
