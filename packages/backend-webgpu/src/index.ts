/// <reference types="@webgpu/types" />

export type { WebGpuBackend, WebGpuBackendOptions, WebGpuExtras } from './backend.js';
export { createWebGpuBackend, defineWebGpuBackend, webgpuBackend } from './backend.js';
export { DeviceLostError, WebGpuError } from './errors.js';
export type { AcquireOptions, AdapterDescription } from './gpu.js';
export { ADAPTER_HINT } from './gpu.js';
export type { RuntimeStats } from './runtime.js';
