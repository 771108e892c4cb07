import type { KernelName, KernelSignatures } from '@saekit/core';
import type { OrtContext } from '../context.js';

/**
 * Kernels where core's reference loop is already the right choice (README: kernel table):
 * they touch [B, k] or [m] sized tensors, or run outside the step (copy), and run on this
 * backend's typed arrays unchanged.
 */
function reference<K extends KernelName>(name: K) {
  return (ctx: OrtContext, ...args: Parameters<KernelSignatures[K]>): void => {
    (ctx.reference[name] as (...a: Parameters<KernelSignatures[K]>) => void)(...args);
  };
}

export const copy = reference('copy');
export const kthLargest = reference('kthLargest');
export const greaterThan = reference('greaterThan');
export const thresholdRelu = reference('thresholdRelu');
export const staleCounter = reference('staleCounter');
