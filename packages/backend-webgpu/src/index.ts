/// <reference types="@webgpu/types" />

export type { WebGpuBackend, WebGpuBackendOptions, WebGpuExtras } from './backend.js';
export { createWebGpuBackend, defineWebGpuBackend, webgpuBackend } from './backend.js';
export type { AcquireOptions, AdapterDescription } from './gpu.js';
export { ADAPTER_HINT } from './gpu.js';
export { WebGpuError } from './runtime.js';
