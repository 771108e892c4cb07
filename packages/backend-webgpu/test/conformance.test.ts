import { CONFORMANCE_GROUPS, describeBackendConformance } from '@saekit/core/testing';
import { createWebGpuBackend } from '../src/index.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();

// Tensors over maxStorageBufferBindingSize are refused with a ShapeError (not split), so the
// `large` cases are left out; a group made only of them would be an empty describe block.
const groups = CONFORMANCE_GROUPS.filter((g) => g.cases.some((c) => c.large !== true));

if (!probe.skip) {
  // The kernels the adapter gets (barrier-free variants on llvmpipe / SwiftShader).
  describeBackendConformance(`webgpu (${probe.reason})`, () => createWebGpuBackend(), { groups });
  // The GPU variants of matmul, topk and the row ops (workgroup tiles, radix select, one
  // workgroup per row) on the same adapter, so CI without a GPU still proves them.
  describeBackendConformance(
    `webgpu, GPU kernel variants (${probe.reason})`,
    () => createWebGpuBackend({ kernels: 'gpu' }),
    { groups: groups.filter((g) => /matmul|selection|optimizer/.test(g.name)) },
  );
}
