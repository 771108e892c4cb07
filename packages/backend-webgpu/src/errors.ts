import { SaekitError } from '@saekit/core';

/** A device-side failure (validation, out of memory) reported by WebGPU after the fact. */
export class WebGpuError extends SaekitError {}

/**
 * The GPU device is gone: the driver reset it (most often a watchdog stopping a dispatch
 * that ran for seconds: a display GPU's timeout detection), the GPU was removed, or the
 * browser reclaimed it. Every tensor of the backend is lost with it; create a new backend.
 */
export class DeviceLostError extends WebGpuError {
  constructor(
    /** WebGPU's `GPUDeviceLostInfo.reason` ('unknown' for a reset, 'destroyed' by the app). */
    readonly reason: string,
    detail: string,
  ) {
    super(
      `webgpu device lost (${reason}): ${detail || 'no detail given'}. Likely causes: a ` +
        'dispatch ran past the driver watchdog (use a smaller batch or layer), the GPU was ' +
        'reset or removed, or the browser reclaimed it. Create a new backend to continue.',
    );
  }
}
