import { BackendUnavailableError } from '@saekit/core';
import { createWebGpuBackend } from '../src/index.js';

/**
 * Probes for a WebGPU adapter once per test file. Outside CI a missing adapter skips the
 * WebGPU tests with a message saying what to install; under CI=true nothing is skipped, so
 * the tests fail on the BackendUnavailableError instead. `software` says whether the
 * adapter gets the barrier-free kernel set by default (llvmpipe, SwiftShader).
 */
export async function probeWebGpu(): Promise<{ skip: boolean; reason: string; software: boolean }> {
  try {
    const b = await createWebGpuBackend();
    const reason = b.adapter.description;
    const software = b.softwareKernels;
    await b.destroy();
    return { skip: false, reason, software };
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    if (process.env.CI === 'true') return { skip: false, reason: err.reason, software: false };
    console.warn(`@saekit/backend-webgpu tests skipped: ${err.reason}`);
    return { skip: true, reason: err.reason, software: false };
  }
}
