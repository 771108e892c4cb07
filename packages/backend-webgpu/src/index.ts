/// <reference types="@webgpu/types" />

export type { WebGpuBackendOptions } from './backend.js';
export { createWebGpuBackend, WebGpuBackend, webgpuBackend } from './backend.js';
export type { AcquireOptions, AdapterDescription } from './gpu.js';
export { ADAPTER_HINT } from './gpu.js';
export { WebGpuError } from './runtime.js';
