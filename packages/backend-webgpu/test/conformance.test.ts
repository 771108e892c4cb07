import { CONFORMANCE_GROUPS, describeBackendConformance } from '@saekit/core/testing';
import { describe } from 'vitest';
import { createWebGpuBackend } from '../src/index.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();

// Tensors over maxStorageBufferBindingSize are bound as several windows of one buffer
// (src/windows.ts), so the opt-in `large` cases run on the default kernel set.
const groups = CONFORMANCE_GROUPS;

// Skipped (not absent) without an adapter outside CI, so the file still reports why.
describe.skipIf(probe.skip)(`webgpu adapter: ${probe.reason}`, () => {
  // The kernels the adapter gets (barrier-free variants on llvmpipe / SwiftShader).
  describeBackendConformance(`webgpu (${probe.reason})`, () => createWebGpuBackend(), {
    groups,
    large: true,
  });
  // The GPU variants of matmul, topk and the row ops (workgroup tiles, radix select, one
  // workgroup per row) on the same adapter, so CI without a GPU still proves them, windowed
  // bindings included.
  describeBackendConformance(
    `webgpu, GPU kernel variants (${probe.reason})`,
    () => createWebGpuBackend({ kernels: 'gpu' }),
    { groups: groups.filter((g) => /matmul|selection|optimizer|large/.test(g.name)), large: true },
  );
});
