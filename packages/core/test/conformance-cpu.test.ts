import { createCpuBackend } from '@saekit/core';
import { describeBackendConformance } from '@saekit/core/testing';

describeBackendConformance('cpu', async () => createCpuBackend(), {
  // The reference backend runs the 128 MiB case too: it must hold for any tensor size. Not
  // under `pnpm mutation`, where every mutant would pay for those allocations.
  large: process.env['SAEKIT_MUTATION'] !== '1',
});
