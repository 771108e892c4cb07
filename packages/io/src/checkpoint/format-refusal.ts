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
        : `sparsify cannot hold a ${w.architecture} SAE: sparsify's SparseCoder always keeps the top k latents per token and has no per-latent threshold, so a thresholded SAE (the L0 of which varies per token) would run as a different model; save it as saelens${w.applyBDecToInput || w.transcoder === true ? '' : ' or gemma-scope'}`;
    }
    // sparsify's `transcode` SparseCoder is the one that does not subtract b_dec.
    if (!w.applyBDecToInput && w.transcoder !== true) {
      return 'sparsify always subtracts b_dec from the input of an SAE (only its transcoders do not)';
    }
    return null;
  }
  if (format === 'gemma-scope') {
    if (w.transcoder === true) {
      return "gemma-scope's params.npz does not record that a model is a transcoder, so it would read back as an SAE of its input; save it as saelens (jumprelu_transcoder) instead";
    }
    if (w.architecture !== 'jumprelu' || w.threshold === undefined || w.applyBDecToInput) {
      return 'gemma-scope holds JumpReLU SAEs with a threshold and no b_dec on input';
    }
    return null;
  }
  return null;
}
