import { createCpuBackend } from '@saekit/core';
import { describeBackendConformance } from '@saekit/core/testing';

describeBackendConformance('cpu', async () => createCpuBackend(), {
  // The reference backend runs the 128 MiB case too: it must hold for any tensor size.
  large: true,
});
