import { KERNEL_NAMES } from './kernel-specs.js';
import type { KernelName, KernelSignatures, KernelTable } from './kernels.js';

/** A kernel written against a backend's own context (its device, scratch memory, pipelines). */
export type ContextKernel<C, K extends KernelName> = (
  ctx: C,
  ...args: Parameters<KernelSignatures[K]>
) => void;

/** One kernel per name, each taking the backend's context first: a backend's kernel registry. */
export type ContextKernels<C> = { readonly [K in KernelName]: ContextKernel<C, K> };

/**
 * Binds a registry of context-taking kernels to one backend instance's context, so each
 * kernel file stays a plain function and no backend writes a forwarding method per kernel.
 */
export function bindKernels<C>(ctx: C, kernels: ContextKernels<C>): KernelTable {
  const table = {} as Record<KernelName, (...args: unknown[]) => void>;
  for (const name of KERNEL_NAMES) {
    const kernel = kernels[name] as (ctx: C, ...args: unknown[]) => void;
    table[name] = (...args: unknown[]) => kernel(ctx, ...args);
  }
  return table as unknown as KernelTable;
}
