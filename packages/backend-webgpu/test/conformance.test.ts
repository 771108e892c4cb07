import type { Backend } from '@saekit/core';
import {
  CONFORMANCE_GROUPS,
  describeBackendConformance,
  type KernelPaths,
} from '@saekit/core/testing';
import { describe } from 'vitest';
import { createWebGpuBackend, type WebGpuBackend } from '../src/index.js';
import { probeWebGpu } from './webgpuAvailable.js';

const probe = await probeWebGpu();

// Tensors over maxStorageBufferBindingSize are bound as several windows of one buffer
// (src/windows.ts), so the opt-in `large` cases run on the default kernel set.
const groups = CONFORMANCE_GROUPS;

/**
 * Which implementation each kernel set takes, by kernel (see ShaderSpec.path): the suite
 * fails when one of these is reached by no case, or when a kernel takes a path not listed
 * here, so a new fast path cannot go untested. topk switches from the per-row scan above 1024
 * columns: on the software set to the radix select when k > 64 as well, on the GPU set to the
 * two-pass select, whose rows with too many candidates are redone by the radix select
 * ('overflow': the constant rows of the wide cases); a one-row matmul is a matrix-vector
 * product on both sets; the GPU set's matmul shares A through subgroup shuffles when the
 * device has subgroups ('subgroup', llvmpipe's are 8 lanes) and through workgroup memory
 * otherwise ('tiled'), and splits K when the output alone gives too few workgroups.
 */
function pathsOf(set: 'software' | 'gpu', subgroups: boolean): KernelPaths {
  const row = set === 'software';
  const tiled = subgroups
    ? ['matmul:subgroup', 'matmul:subgroup-split-k']
    : ['matmul:tiled', 'matmul:split-k'];
  return {
    declared: [
      'topk:row-scan',
      ...(row ? ['topk:radix'] : ['topk:two-pass', 'topk:overflow']),
      'matmul:gemv',
      ...(row ? ['matmul:blocked'] : tiled),
      row ? 'normalizeRows:row' : 'normalizeRows:workgroup',
      row ? 'removeParallel:row' : 'removeParallel:workgroup',
      row ? 'gatherDot:thread' : 'gatherDot:lanes',
    ],
    taken: (b: Backend) => (b as WebGpuBackend).kernelPaths(),
  };
}

// Skipped (not absent) without an adapter outside CI, so the file still reports why.
describe.skipIf(probe.skip)(`webgpu adapter: ${probe.reason}`, () => {
  // The kernels the adapter gets (barrier-free variants on llvmpipe / SwiftShader).
  const auto = probe.software ? 'software' : 'gpu';
  describeBackendConformance(`webgpu (${probe.reason})`, () => createWebGpuBackend(), {
    groups,
    large: true,
    paths: pathsOf(auto, auto === 'gpu' && probe.subgroups),
  });
  // The other kernel set on the same adapter (on llvmpipe: the GPU variants, with workgroup
  // tiles, radix select, lane groups and subgroups), the whole suite, so CI without a GPU
  // still proves them, windowed bindings included.
  const other = auto === 'software' ? 'gpu' : 'software';
  describeBackendConformance(
    `webgpu, ${other} kernel set (${probe.reason})`,
    () => createWebGpuBackend({ kernels: other }),
    {
      groups,
      large: true,
      paths: pathsOf(other, other === 'gpu' && probe.subgroups),
    },
  );
  // The GPU set without subgroups (workgroup-memory matmul and gatherDot reduction), which an
  // adapter with subgroups would otherwise never run: the whole suite again.
  if (probe.subgroups) {
    describeBackendConformance(
      `webgpu, gpu kernel set without subgroups (${probe.reason})`,
      () => createWebGpuBackend({ kernels: 'gpu', subgroups: false }),
      { groups, large: true, paths: pathsOf('gpu', false) },
    );
  }
});
