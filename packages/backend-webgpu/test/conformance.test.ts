import { CONFORMANCE_GROUPS, describeBackendConformance } from '@saekit/core/testing';
import { createWebGpuBackend } from '../src/index.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();

// Tensors over maxStorageBufferBindingSize are refused with a ShapeError (not split), so the
// `large` cases are left out; a group made only of them would be an empty describe block.
const groups = CONFORMANCE_GROUPS.filter((g) => g.cases.some((c) => c.large !== true));

if (!probe.skip) {
  describeBackendConformance(`webgpu (${probe.reason})`, () => createWebGpuBackend(), { groups });
}
