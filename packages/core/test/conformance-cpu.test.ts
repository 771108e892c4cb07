import { createCpuBackend } from '@saekit/core';
import { CONFORMANCE_GROUPS, describeBackendConformance } from '@saekit/core/testing';

const mutation = process.env['SAEKIT_MUTATION'];
// The cpu kernels' mutation run (stryker.kernels.config.mjs sets 'kernels') leaves out the
// whole-trainer groups: the graph's run covers them, and here they would rerun for each of
// several hundred kernel mutants that the kernel cases already pin.
const trainerGroups = new Set(['training steps', 'update step']);
const groups =
  mutation === 'kernels'
    ? CONFORMANCE_GROUPS.filter((g) => !trainerGroups.has(g.name.split(':')[0]))
    : CONFORMANCE_GROUPS;

describeBackendConformance('cpu', async () => createCpuBackend(), {
  groups,
  // The reference backend runs the 128 MiB case too: it must hold for any tensor size. Not
  // under `pnpm mutation`, where every mutant would pay for those allocations.
  large: mutation === undefined,
});
