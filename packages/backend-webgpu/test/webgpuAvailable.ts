import { BackendUnavailableError } from '@saekit/core';
import { createWebGpuBackend } from '../src/index.js';

export interface WebGpuProbe {
  readonly skip: boolean;
  readonly reason: string;
  readonly software: boolean;
  /** The GPU set's matmul uses subgroups here: the feature, at least 8 lanes (llvmpipe: 8). */
  readonly subgroups: boolean;
}

/**
 * Probes for a WebGPU adapter once per test file. Outside CI a missing adapter skips the
 * WebGPU tests with a message saying what to install; under CI=true nothing is skipped, so
 * the tests fail on the BackendUnavailableError instead. `software` says whether the
 * adapter gets the barrier-free kernel set by default (llvmpipe, SwiftShader).
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  try {
    const b = await createWebGpuBackend();
    const reason = b.adapter.description;
    const software = b.softwareKernels;
    const subgroups = b.device.features.has('subgroups') && (b.adapter.subgroupMinSize ?? 0) >= 8;
    await b.destroy();
    return { skip: false, reason, software, subgroups };
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    const none = { reason: err.reason, software: false, subgroups: false };
    if (process.env.CI === 'true') return { skip: false, ...none };
    console.warn(`@saekit/backend-webgpu tests skipped: ${err.reason}`);
    return { skip: true, ...none };
  }
}
