import type { SaeWeights } from '@saekit/core';

export type SaeFormat = 'saelens' | 'sparsify' | 'gemma-scope';

/**
 * Why `format` cannot hold `weights`, or null when it can. One place for what each format
 * means, so saveSae and the CLI's convert give the same reason.
 */
export function formatRefusal(format: SaeFormat, w: SaeWeights): string | null {
  if (format === 'sparsify') {
    if (w.architecture !== 'topk') {
      return w.architecture === 'standard'
        ? `sparsify cannot hold a standard (ReLU) SAE: sparsify's SparseCoder always keeps the top k latents per token, and a ReLU SAE has no k (its number of active latents varies per token); save it as saelens`
        : `sparsify cannot hold a ${w.architecture} SAE: sparsify's SparseCoder always keeps the top k latents per token and has no per-latent threshold, so a thresholded SAE (the L0 of which varies per token) would run as a different model; save it as saelens${w.applyBDecToInput ? '' : ' or gemma-scope'}`;
    }
    if (!w.applyBDecToInput) return 'sparsify always subtracts b_dec from the input';
    return null;
  }
  if (format === 'gemma-scope') {
    if (w.architecture !== 'jumprelu' || w.threshold === undefined || w.applyBDecToInput) {
      return 'gemma-scope holds JumpReLU SAEs with a threshold and no b_dec on input';
    }
    return null;
  }
  return null;
}
